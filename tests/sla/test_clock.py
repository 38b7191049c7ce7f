"""SLA clocks: pause, resume, stop and deadlines; every expected value is worked out by hand.

The calendar is Shanghai (UTC+8, no DST), Mon–Fri 08:30–12:00 and 13:30–17:30
(7.5 h a day), with China's 2024 National Day holidays 1–7 Oct and the make-up
working Saturday 12 Oct. 8–11 Nov 2024 is Fri–Mon with nothing special.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_host.domain.sla import BusinessCalendar, ClockState, ClockStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = [["08:30", "12:00"], ["13:30", "17:30"]]


def hours(value: float) -> timedelta:
    """``value`` hours as a timedelta."""
    return timedelta(hours=value)


def shanghai(*parts: int) -> datetime:
    """A Shanghai wall-clock instant."""
    return datetime(*parts, tzinfo=SHANGHAI)


def utc(*parts: int) -> datetime:
    """A UTC instant."""
    return datetime(*parts, tzinfo=UTC)


def calendar() -> BusinessCalendar:
    """The Shanghai office calendar described in the module docstring."""
    return BusinessCalendar.from_dict(
        {
            "timezone": "Asia/Shanghai",
            "hours": {day: OFFICE_HOURS for day in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": [f"2024-10-0{day}" for day in range(1, 8)],
            "workdays": ["2024-10-12"],
        }
    )


def test_running_clock_due_across_weekend() -> None:
    clock = ClockState.start("resolution", hours(8), calendar(), shanghai(2024, 11, 8, 16))
    # Fri 16:00–17:30 is 1.5 h; Mon 11 Nov morning 3.5 h (5 h); 13:30 + 3 h = 16:30 CST,
    # i.e. 08:30 UTC.
    assert clock.status is ClockStatus.RUNNING
    assert clock.due_at() == utc(2024, 11, 11, 8, 30)
    # At Fri 17:00 one hour has been counted, seven remain.
    assert clock.elapsed(shanghai(2024, 11, 8, 17)) == hours(1)
    assert clock.remaining(shanghai(2024, 11, 8, 17)) == hours(7)


def test_due_time_moves_by_the_pause() -> None:
    started = ClockState.start("resolution", hours(8), calendar(), shanghai(2024, 11, 8, 16))
    # Paused Fri 17:00 after 1 h (16:00–17:00).
    paused = started.pause(shanghai(2024, 11, 8, 17))
    assert paused.status is ClockStatus.PAUSED
    assert paused.due_at() is None
    assert paused.consumed == hours(1)
    # Nothing counts while paused, even across Monday's working hours.
    assert paused.elapsed(shanghai(2024, 11, 11, 10)) == hours(1)
    assert paused.remaining(shanghai(2024, 11, 11, 10)) == hours(7)

    resumed = paused.resume(shanghai(2024, 11, 11, 10))
    # 7 h left from Mon 10:00: 10:00–12:00 is 2 h (3 h counted), 13:30–17:30 is 4 h
    # (7 h), Tue 12 Nov 08:30 + 1 h = 09:30 CST = 01:30 UTC.
    assert resumed.due_at() == utc(2024, 11, 12, 1, 30)
    # Mon 15:00: 1 h before the pause + 10:00–12:00 (2 h) + 13:30–15:00 (1.5 h) = 4.5 h.
    assert resumed.elapsed(shanghai(2024, 11, 11, 15)) == hours(4.5)
    # At the deadline itself nothing is left and nothing is late yet.
    assert resumed.remaining(shanghai(2024, 11, 12, 9, 30)) == timedelta(0)
    assert not resumed.is_breached(shanghai(2024, 11, 12, 9, 30))
    # Tue 10:00: 1 + 2 + 4 + 1.5 (08:30–10:00) = 8.5 h, half an hour over.
    assert resumed.remaining(shanghai(2024, 11, 12, 10)) == -hours(0.5)
    assert resumed.is_breached(shanghai(2024, 11, 12, 10))


def test_pause_across_holiday_and_makeup_saturday() -> None:
    clock = ClockState.start("resolution", hours(10), calendar(), shanghai(2024, 9, 30, 9))
    # Mon 30 Sep 09:00–12:00 is 3 h; paused at 12:00 with 7 h left.
    clock = clock.pause(shanghai(2024, 9, 30, 12))
    # Resumed during the holiday (Thu 3 Oct): the next working moment is Tue 8 Oct
    # 08:30. Tue–Thu 8–10 Oct hold 22.5 h, so the 7 h end Tue 8 Oct: 08:30–12:00
    # 3.5 h, 13:30 + 3.5 h = 17:00 CST = 09:00 UTC.
    clock = clock.resume(shanghai(2024, 10, 3, 15))
    assert clock.due_at() == utc(2024, 10, 8, 9)
    # Paused again Tue 8 Oct 12:00 after 3 + 3.5 = 6.5 h and resumed on the make-up
    # Sat 12 Oct 08:30: the 3.5 h left are 08:30–12:00, due 12:00 CST = 04:00 UTC.
    clock = clock.pause(shanghai(2024, 10, 8, 12)).resume(shanghai(2024, 10, 12, 8, 30))
    assert clock.consumed == hours(6.5)
    assert clock.due_at() == utc(2024, 10, 12, 4)


def test_deadline_passes_outside_working_hours() -> None:
    clock = ClockState.start("response", hours(1.5), calendar(), shanghai(2024, 11, 8, 16))
    # Fri 16:00 + 1.5 h = 17:30 CST = 09:30 UTC.
    assert clock.due_at() == utc(2024, 11, 8, 9, 30)
    saturday = shanghai(2024, 11, 9, 10)
    # On Saturday no working time has passed since 17:30, so remaining is exactly 0,
    # but the deadline is behind us: breached.
    assert clock.remaining(saturday) == timedelta(0)
    assert clock.is_breached(saturday)
    assert not clock.is_breached(shanghai(2024, 11, 8, 17, 30))


def test_pause_after_breach_keeps_the_real_due_time() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    # Paused Mon 12:00 after 3.5 h; the hour ran out at 09:30 CST = 01:30 UTC.
    paused = clock.pause(shanghai(2024, 11, 11, 12))
    assert paused.reached_at == utc(2024, 11, 11, 1, 30)
    assert paused.due_at() is None
    assert paused.is_breached(shanghai(2024, 11, 12, 9))
    # 1 h target − 3.5 h counted = −2.5 h, frozen while paused.
    assert paused.remaining(shanghai(2024, 11, 12, 9)) == -hours(2.5)
    resumed = paused.resume(shanghai(2024, 11, 12, 8, 30))
    assert resumed.due_at() == utc(2024, 11, 11, 1, 30)
    # Tue 08:30–09:00 adds 0.5 h: 1 − 4 = −3 h.
    assert resumed.remaining(shanghai(2024, 11, 12, 9)) == -hours(3)


def test_pause_exactly_at_the_deadline_is_not_a_breach() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    # Due 09:30 CST; paused right then.
    paused = clock.pause(shanghai(2024, 11, 11, 9, 30))
    assert paused.reached_at == utc(2024, 11, 11, 1, 30)
    assert not paused.is_breached(shanghai(2024, 11, 12, 9))
    assert paused.remaining(shanghai(2024, 11, 12, 9)) == timedelta(0)


def test_stop_freezes_the_clock() -> None:
    clock = ClockState.start("resolution", hours(4), calendar(), shanghai(2024, 11, 11, 8, 30))
    # Stopped Mon 10:00 after 1.5 h, before the 4 h target: met, no deadline any more.
    stopped = clock.stop(shanghai(2024, 11, 11, 10))
    assert stopped.status is ClockStatus.STOPPED
    assert stopped.elapsed(shanghai(2024, 11, 20, 10)) == hours(1.5)
    assert stopped.remaining(shanghai(2024, 11, 20, 10)) == hours(2.5)
    assert stopped.due_at() is None
    assert not stopped.is_breached(shanghai(2024, 11, 20, 10))


def test_stop_after_deadline_is_breached() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    # Due 09:30 CST = 01:30 UTC; stopped at 10:00 after 1.5 h.
    stopped = clock.stop(shanghai(2024, 11, 11, 10))
    assert stopped.due_at() == utc(2024, 11, 11, 1, 30)
    assert stopped.is_breached(shanghai(2024, 11, 11, 10))
    assert stopped.remaining(shanghai(2024, 11, 11, 10)) == -hours(0.5)


def test_stop_while_paused() -> None:
    clock = ClockState.start("resolution", hours(4), calendar(), shanghai(2024, 11, 11, 8, 30))
    # Paused 09:00 after 0.5 h, stopped later without resuming: still 0.5 h.
    stopped = clock.pause(shanghai(2024, 11, 11, 9)).stop(shanghai(2024, 11, 11, 11))
    assert stopped.status is ClockStatus.STOPPED
    assert stopped.elapsed(shanghai(2024, 11, 11, 11)) == hours(0.5)


def test_clocks_on_one_object_are_independent() -> None:
    start = shanghai(2024, 11, 8, 16)
    response = ClockState.start("response", hours(2), calendar(), start)
    resolution = ClockState.start("resolution", hours(16), calendar(), start)
    resolution = resolution.pause(shanghai(2024, 11, 8, 16, 30))
    # Response: Fri 16:00–17:30 1.5 h, Mon 08:30 + 0.5 h = 09:00 CST = 01:00 UTC,
    # whatever happens to the resolution clock.
    assert response.due_at() == utc(2024, 11, 11, 1)
    assert response.status is ClockStatus.RUNNING
    assert resolution.status is ClockStatus.PAUSED
    assert resolution.elapsed(shanghai(2024, 11, 11, 9)) == hours(0.5)
    assert response.elapsed(shanghai(2024, 11, 11, 9)) == hours(2)


def test_clock_on_always_calendar() -> None:
    clock = ClockState.start("uptime", hours(4), BusinessCalendar.always(), utc(2024, 11, 11, 10))
    # 10:00–11:00 counted (1 h), paused until 13:00, then 3 h more: 16:00 UTC.
    clock = clock.pause(utc(2024, 11, 11, 11)).resume(utc(2024, 11, 11, 13))
    assert clock.due_at() == utc(2024, 11, 11, 16)
    assert clock.elapsed(utc(2024, 11, 11, 14)) == hours(2)


def test_zero_target_is_due_at_start() -> None:
    clock = ClockState.start("ack", timedelta(0), BusinessCalendar.always(), utc(2024, 11, 11, 10))
    assert clock.due_at() == utc(2024, 11, 11, 10)
    assert not clock.is_breached(utc(2024, 11, 11, 10))
    assert clock.is_breached(utc(2024, 11, 11, 10, 0, 1))


def test_instants_are_stored_in_utc() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    # 08:30 CST is 00:30 UTC.
    assert clock.started_at == utc(2024, 11, 11, 0, 30)
    assert clock.started_at.tzinfo is UTC


# -- errors ------------------------------------------------------------------------


def test_pausing_a_paused_clock_is_an_error() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    paused = clock.pause(shanghai(2024, 11, 11, 9))
    with pytest.raises(ValueError, match=r"'response' cannot be paused: it is already paused"):
        paused.pause(shanghai(2024, 11, 11, 10))


def test_resuming_a_running_clock_is_an_error() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30))
    with pytest.raises(ValueError, match=r"clock 'response' cannot be resumed: it is running"):
        clock.resume(shanghai(2024, 11, 11, 9))


def test_stopped_clock_cannot_resume_or_stop_again() -> None:
    stopped = ClockState.start(
        "response", hours(1), calendar(), shanghai(2024, 11, 11, 8, 30)
    ).stop(shanghai(2024, 11, 11, 9))
    with pytest.raises(ValueError, match=r"cannot be resumed: it is already stopped"):
        stopped.resume(shanghai(2024, 11, 11, 10))
    with pytest.raises(ValueError, match=r"cannot be stopped: it is already stopped"):
        stopped.stop(shanghai(2024, 11, 11, 10))
    with pytest.raises(ValueError, match=r"cannot be paused: it is already stopped"):
        stopped.pause(shanghai(2024, 11, 11, 10))


def test_changes_must_not_go_back_in_time() -> None:
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 9))
    with pytest.raises(ValueError, match=r"^at: cannot pause clock 'response' at .* before"):
        clock.pause(shanghai(2024, 11, 11, 8))
    with pytest.raises(ValueError, match=r"^at: cannot read clock 'response'"):
        clock.elapsed(shanghai(2024, 11, 11, 8))


def test_naive_and_negative_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"^at: naive datetime"):
        ClockState.start("response", hours(1), calendar(), datetime(2024, 11, 11, 9))
    clock = ClockState.start("response", hours(1), calendar(), shanghai(2024, 11, 11, 9))
    with pytest.raises(ValueError, match=r"^at: naive datetime"):
        clock.pause(datetime(2024, 11, 11, 10))
    with pytest.raises(ValueError, match=r"^target: clock 'response' got a negative target"):
        ClockState.start("response", -hours(1), calendar(), shanghai(2024, 11, 11, 9))
    with pytest.raises(ValueError, match=r"^name: expected a non-empty clock name"):
        ClockState.start("", hours(1), calendar(), shanghai(2024, 11, 11, 9))
