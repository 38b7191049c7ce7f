"""Business calendar arithmetic; every expected instant is worked out by hand in a comment.

Shanghai is UTC+8 all year (no DST). Berlin is CET (UTC+1) in winter and CEST
(UTC+2) in summer; in 2025 the clocks jump 02:00→03:00 on Sunday 30 March at
01:00 UTC and fall back 03:00→02:00 on Sunday 26 October at 01:00 UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_host.domain.sla import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE_HOURS = [["08:30", "12:00"], ["13:30", "17:30"]]  # 3.5 h + 4 h = 7.5 h a day
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def hours(value: float) -> timedelta:
    """``value`` hours as a timedelta."""
    return timedelta(hours=value)


def shanghai(*parts: int) -> datetime:
    """A Shanghai wall-clock instant."""
    return datetime(*parts, tzinfo=SHANGHAI)


def berlin(*parts: int) -> datetime:
    """A Berlin wall-clock instant (the first one, where the wall time repeats)."""
    return datetime(*parts, tzinfo=BERLIN)


def utc(*parts: int) -> datetime:
    """A UTC instant."""
    return datetime(*parts, tzinfo=UTC)


def shanghai_calendar() -> BusinessCalendar:
    """Mon–Fri 08:30–12:00, 13:30–17:30 with China's 2024 Mid-Autumn and National Day.

    Holidays: 15–17 Sep (Sun–Tue) and 1–7 Oct (Tue–Mon). Make-up working days (调休):
    Sat 14 Sep, Sun 29 Sep and Sat 12 Oct.
    """
    return BusinessCalendar.from_dict(
        {
            "timezone": "Asia/Shanghai",
            "hours": {day: OFFICE_HOURS for day in WEEKDAYS},
            "holidays": ["2024-09-15", "2024-09-16", "2024-09-17"]
            + [f"2024-10-0{day}" for day in range(1, 8)],
            "workdays": ["2024-09-14", "2024-09-29", "2024-10-12"],
        }
    )


def berlin_office() -> BusinessCalendar:
    """Mon–Fri 08:00–17:00 (9 h a day, 45 h a week) in Berlin, no holidays."""
    return BusinessCalendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {day: [["08:00", "17:00"]] for day in WEEKDAYS}}
    )


# -- Shanghai: weekends, holidays, make-up days ------------------------------------


def test_due_time_crosses_plain_weekend() -> None:
    calendar = shanghai_calendar()
    # Fri 8 Nov 16:00–17:30 is 1.5 h; Sat/Sun off; Mon 11 Nov 08:30 + 2.5 h = 11:00 CST,
    # which is 03:00 UTC.
    due = calendar.add_business_time(shanghai(2024, 11, 8, 16), hours(4))
    assert due == utc(2024, 11, 11, 3)
    assert due.tzinfo is UTC


def test_due_time_crosses_weekend_holiday_and_makeup_saturday() -> None:
    calendar = shanghai_calendar()
    # From Fri 27 Sep 16:00: Fri 1.5 h; Sat 28 Sep off; Sun 29 Sep make-up day 7.5 h;
    # Mon 30 Sep 7.5 h (16.5 h so far); 1–7 Oct holidays (incl. the weekend);
    # Tue 8 – Fri 11 Oct 4 × 7.5 = 30 h (46.5 h); make-up Sat 12 Oct: 08:30–12:00 is
    # 3.5 h (50 h) and 13:30 + 1 h = 14:30 CST for the 51st hour, i.e. 06:30 UTC.
    start = shanghai(2024, 9, 27, 16)
    assert calendar.add_business_time(start, hours(51)) == utc(2024, 10, 12, 6, 30)
    assert calendar.business_time_between(start, utc(2024, 10, 12, 6, 30)) == hours(51)


def test_due_time_ending_with_an_interval_is_that_end() -> None:
    calendar = shanghai_calendar()
    # Same walk as above: 50 h are used up exactly at the end of the Saturday
    # morning, Sat 12 Oct 12:00 CST = 04:00 UTC, not at 13:30 when work resumes.
    assert calendar.add_business_time(shanghai(2024, 9, 27, 16), hours(50)) == utc(2024, 10, 12, 4)


def test_mid_autumn_makeup_saturday_then_holiday() -> None:
    calendar = shanghai_calendar()
    # Fri 13 Sep 17:00–17:30 is 0.5 h; Sat 14 Sep make-up 7.5 h (8 h); 15–17 Sep off;
    # Wed 18 Sep 08:30 + 2 h = 10:30 CST = 02:30 UTC.
    assert calendar.add_business_time(shanghai(2024, 9, 13, 17), hours(10)) == utc(
        2024, 9, 18, 2, 30
    )


def test_start_outside_working_hours_counts_from_next_working_moment() -> None:
    calendar = shanghai_calendar()
    # Saturday: counting starts Mon 11 Nov 08:30, + 1 h = 09:30 CST = 01:30 UTC.
    assert calendar.add_business_time(shanghai(2024, 11, 9, 10), hours(1)) == utc(
        2024, 11, 11, 1, 30
    )
    # Lunch break: counting starts 13:30, + 1 h = 14:30 CST = 06:30 UTC.
    assert calendar.add_business_time(shanghai(2024, 11, 11, 12, 30), hours(1)) == utc(
        2024, 11, 11, 6, 30
    )
    # Zero duration: the start itself (11 Nov 12:30 CST = 04:30 UTC), nothing to count.
    assert calendar.add_business_time(shanghai(2024, 11, 11, 12, 30), timedelta(0)) == utc(
        2024, 11, 11, 4, 30
    )


def test_is_working_time_honours_holidays_makeup_days_and_half_open_intervals() -> None:
    calendar = shanghai_calendar()
    assert calendar.is_working_time(shanghai(2024, 10, 12, 9))  # make-up Saturday
    assert not calendar.is_working_time(shanghai(2024, 10, 2, 9))  # National Day, a Wednesday
    assert not calendar.is_working_time(shanghai(2024, 11, 9, 9))  # ordinary Saturday
    assert calendar.is_working_time(shanghai(2024, 11, 11, 8, 30))  # start is inside
    assert not calendar.is_working_time(shanghai(2024, 11, 11, 12))  # end is outside
    assert not calendar.is_working_time(shanghai(2024, 11, 11, 12, 45))  # lunch
    # 01:00 UTC is 09:00 CST on a Monday: any zone is accepted for the instant.
    assert calendar.is_working_time(utc(2024, 11, 11, 1))


def test_next_working_moment() -> None:
    calendar = shanghai_calendar()
    # Sat 9 Nov → Mon 11 Nov 08:30 CST = 00:30 UTC.
    assert calendar.next_working_moment(shanghai(2024, 11, 9, 10)) == utc(2024, 11, 11, 0, 30)
    # Mon 30 Sep after hours → 1–7 Oct holidays → Tue 8 Oct 08:30 CST = 00:30 UTC.
    assert calendar.next_working_moment(shanghai(2024, 9, 30, 18)) == utc(2024, 10, 8, 0, 30)
    # Inside working hours it is the instant itself: 10:15 CST = 02:15 UTC.
    assert calendar.next_working_moment(shanghai(2024, 11, 11, 10, 15)) == utc(2024, 11, 11, 2, 15)


def test_business_time_between_is_negative_when_reversed() -> None:
    calendar = shanghai_calendar()
    # Mon 11 Nov 10:00–12:00 is 2 h, lunch 0, 13:30–15:00 is 1.5 h: 3.5 h.
    start, end = shanghai(2024, 11, 11, 10), shanghai(2024, 11, 11, 15)
    assert calendar.business_time_between(start, end) == hours(3.5)
    assert calendar.business_time_between(end, start) == -hours(3.5)
    # Inside the lunch break nothing counts.
    assert calendar.business_time_between(
        shanghai(2024, 11, 11, 12), shanghai(2024, 11, 11, 13, 30)
    ) == timedelta(0)


def test_makeup_weekday_is_configurable() -> None:
    calendar = BusinessCalendar(
        "UTC",
        {0: [("09:00", "18:00")], 4: [("09:00", "15:00")]},
        workdays=frozenset({date(2024, 11, 9)}),
        makeup_weekday=4,
    )
    # Make-up Sat 9 Nov works Friday hours 09:00–15:00 (6 h); Sun off;
    # Mon 11 Nov 09:00 + 1 h = 10:00 UTC.
    assert calendar.add_business_time(utc(2024, 11, 9, 9), hours(7)) == utc(2024, 11, 11, 10)


def test_interval_ending_at_midnight() -> None:
    calendar = BusinessCalendar.from_dict(
        {"timezone": "UTC", "hours": {"sat": [["20:00", "24:00"]], "sun": [["00:00", "02:00"]]}}
    )
    # Sat 9 Nov 21:00–24:00 is 3 h, then Sun 00:00 + 1 h = Sun 10 Nov 01:00 UTC.
    assert calendar.add_business_time(utc(2024, 11, 9, 21), hours(4)) == utc(2024, 11, 10, 1)
    # Sat 20:00 → Sun 02:00 is one unbroken 6 h stretch across midnight.
    assert calendar.business_time_between(utc(2024, 11, 9), utc(2024, 11, 11)) == hours(6)
    assert calendar.to_dict()["hours"]["sat"] == [["20:00", "24:00"]]


# -- 24×7 --------------------------------------------------------------------------


def test_always_calendar_is_plain_elapsed_time() -> None:
    calendar = BusinessCalendar.always()
    # 2024 is a leap year: Wed 28 Feb 22:00 + 26 h = Thu 29 Feb 24:00 = 1 Mar 00:00.
    assert calendar.add_business_time(utc(2024, 2, 28, 22), hours(26)) == utc(2024, 3, 1)
    # One calendar week is 7 × 24 = 168 h.
    assert calendar.business_time_between(utc(2024, 1, 1), utc(2024, 1, 8)) == hours(168)
    assert calendar.is_working_time(utc(2024, 12, 25, 3, 17))
    assert calendar.next_working_moment(utc(2024, 12, 25, 3, 17)) == utc(2024, 12, 25, 3, 17)


def test_always_calendar_in_berlin_counts_real_hours_over_dst() -> None:
    calendar = BusinessCalendar.always("Europe/Berlin")
    # Sat 29 Mar 2025 12:00 CET = 11:00 UTC; Sun 30 Mar 12:00 CEST = 10:00 UTC: 23 h.
    assert calendar.business_time_between(
        berlin(2025, 3, 29, 12), berlin(2025, 3, 30, 12)
    ) == hours(23)
    # Sat 25 Oct 12:00 CEST = 10:00 UTC; Sun 26 Oct 12:00 CET = 11:00 UTC: 25 h.
    assert calendar.business_time_between(
        berlin(2025, 10, 25, 12), berlin(2025, 10, 26, 12)
    ) == hours(25)
    # 24 working hours from Sat 29 Mar 12:00 CET (11:00 UTC) is 11:00 UTC on Sunday,
    # which the wall clock shows as 13:00 CEST.
    assert calendar.add_business_time(berlin(2025, 3, 29, 12), hours(24)) == utc(2025, 3, 30, 11)


# -- Berlin: daylight saving -------------------------------------------------------


def test_office_hours_use_each_days_offset_across_march_change() -> None:
    calendar = berlin_office()
    # Fri 28 Mar 16:00–17:00 CET is 1 h; the clocks change on Sunday; Mon 31 Mar
    # 08:00 CEST + 1 h = 09:00 CEST = 07:00 UTC (06:00 UTC had the winter offset stuck).
    start = berlin(2025, 3, 28, 16)
    assert calendar.add_business_time(start, hours(2)) == utc(2025, 3, 31, 7)
    assert calendar.business_time_between(start, utc(2025, 3, 31, 7)) == hours(2)


def test_office_hours_use_each_days_offset_across_october_change() -> None:
    calendar = berlin_office()
    # Fri 24 Oct 16:00–17:00 CEST is 1 h; Mon 27 Oct 08:00 CET + 1 h = 09:00 CET = 08:00 UTC.
    start = berlin(2025, 10, 24, 16)
    assert calendar.add_business_time(start, hours(2)) == utc(2025, 10, 27, 8)
    assert calendar.business_time_between(start, utc(2025, 10, 27, 8)) == hours(2)


def test_whole_weeks_across_dst_change() -> None:
    calendar = berlin_office()
    start = berlin(2025, 3, 3, 8)  # Monday, CET
    # Four 45 h weeks (3, 10, 17, 24 Mar) end on Fri 28 Mar 17:00 CET = 16:00 UTC.
    assert calendar.add_business_time(start, hours(180)) == utc(2025, 3, 28, 16)
    # One hour more is Mon 31 Mar 09:00, now CEST = 07:00 UTC.
    assert calendar.add_business_time(start, hours(181)) == utc(2025, 3, 31, 7)
    # Ten weeks (3 Mar … 5 May) end Fri 9 May 17:00 CEST = 15:00 UTC.
    assert calendar.add_business_time(start, hours(450)) == utc(2025, 5, 9, 15)
    assert calendar.business_time_between(start, utc(2025, 5, 9, 15)) == hours(450)


def test_interval_containing_spring_forward_counts_real_time() -> None:
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"sun": [["00:00", "06:00"]]}}
    )
    # Sun 30 Mar 2025: 00:00 CET = Sat 23:00 UTC to 06:00 CEST = 04:00 UTC is 5 real hours.
    assert calendar.business_time_between(berlin(2025, 3, 29, 12), berlin(2025, 3, 31)) == hours(5)
    # All 5 h end with the shift, 06:00 CEST = 04:00 UTC.
    assert calendar.add_business_time(berlin(2025, 3, 29, 12), hours(5)) == utc(2025, 3, 30, 4)
    # 2 h after 23:00 UTC is 01:00 UTC: the very instant 02:00 CET becomes 03:00 CEST.
    due = calendar.add_business_time(berlin(2025, 3, 29, 12), hours(2))
    assert due == utc(2025, 3, 30, 1)
    assert due.astimezone(BERLIN).time() == time(3)


def test_interval_containing_fall_back_counts_real_time() -> None:
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"sun": [["00:00", "06:00"]]}}
    )
    # Sun 26 Oct 2025: 00:00 CEST = Sat 22:00 UTC to 06:00 CET = 05:00 UTC is 7 real hours.
    assert calendar.business_time_between(berlin(2025, 10, 25, 12), berlin(2025, 10, 27)) == hours(
        7
    )
    assert calendar.add_business_time(berlin(2025, 10, 25, 12), hours(7)) == utc(2025, 10, 26, 5)
    # 22:00 UTC + 3 h = 01:00 UTC, which is 02:00 CET, the second time the clock shows 02:00.
    due = calendar.add_business_time(berlin(2025, 10, 25, 12), hours(3))
    assert due == utc(2025, 10, 26, 1)
    local = due.astimezone(BERLIN)
    # (Compared piecewise: Python never finds a fold=1 time equal to a UTC instant.)
    assert (local.time(), local.fold, local.utcoffset()) == (time(2), 1, hours(1))


def test_wall_times_inside_the_dst_gap_start_when_the_clocks_jump() -> None:
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"sun": [["02:30", "04:00"]]}}
    )
    # 30 Mar 2025 has no 02:30: the clock reads past it first at the jump (01:00 UTC,
    # shown as 03:00 CEST); 04:00 CEST = 02:00 UTC. So 1 h, from 01:00 UTC.
    assert calendar.business_time_between(berlin(2025, 3, 29), berlin(2025, 3, 31)) == hours(1)
    assert calendar.next_working_moment(berlin(2025, 3, 29)) == utc(2025, 3, 30, 1)
    # 26 Oct 2025: 02:30 means its first occurrence, 02:30 CEST = 00:30 UTC; 04:00 CET =
    # 03:00 UTC. So 2.5 h.
    assert calendar.business_time_between(berlin(2025, 10, 25), berlin(2025, 10, 27)) == hours(2.5)


# -- long durations and calendars without work -------------------------------------


def test_ten_thousand_working_hours() -> None:
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Asia/Shanghai", "hours": {day: OFFICE_HOURS for day in WEEKDAYS}}
    )
    # 37.5 h a week: 266 weeks = 9,975 h, leaving 25 h. Mon 6 Jan 2025 + 266 weeks
    # (1,862 days: 365 + 365 + 365 + 366 to 6 Jan 2029, 365 to Sun 6 Jan 2030, + 36) is
    # Mon 11 Feb 2030. Mon–Wed 22.5 h, Thu 14 Feb 08:30 + 2.5 h = 11:00 CST = 03:00 UTC.
    start = shanghai(2025, 1, 6, 8, 30)
    assert calendar.add_business_time(start, hours(10_000)) == utc(2030, 2, 14, 3)
    assert calendar.business_time_between(start, utc(2030, 2, 14, 3)) == hours(10_000)


def test_long_durations_skip_whole_weeks(monkeypatch: pytest.MonkeyPatch) -> None:
    # White-box: count the days expanded into intervals. 10,000 h is about 267 weeks;
    # a day-by-day walk would expand ~1,870 days, skipping weeks only a handful.
    calls = []
    original = BusinessCalendar._utc_intervals

    def counting(self: BusinessCalendar, day: date) -> object:
        calls.append(day)
        return original(self, day)

    monkeypatch.setattr(BusinessCalendar, "_utc_intervals", counting)
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Asia/Shanghai", "hours": {day: OFFICE_HOURS for day in WEEKDAYS}}
    )
    calendar.add_business_time(shanghai(2025, 1, 6, 8, 30), hours(10_000))
    calendar.business_time_between(shanghai(2025, 1, 6, 8, 30), shanghai(2030, 2, 14, 11))
    assert len(calls) < 40


def test_calendar_without_working_time_raises_instead_of_looping() -> None:
    calendar = BusinessCalendar.from_dict({"timezone": "UTC", "hours": {}})
    with pytest.raises(ValueError, match="no working hours"):
        calendar.add_business_time(utc(2024, 1, 1), hours(1))
    with pytest.raises(ValueError, match="no working hours"):
        calendar.next_working_moment(utc(2024, 1, 1))
    # Nothing to find, nothing to count: these are still answerable.
    assert calendar.business_time_between(utc(2024, 1, 1), utc(2025, 1, 1)) == timedelta(0)
    assert not calendar.is_working_time(utc(2024, 1, 1))
    assert calendar.add_business_time(utc(2024, 1, 1), timedelta(0)) == utc(2024, 1, 1)


# -- add_business_time and business_time_between agree ------------------------------


def _sample_starts() -> list[datetime]:
    """Fixed instants every 7 h 13 min: odd steps land on all hours and weekdays."""
    step = timedelta(hours=7, minutes=13)
    shanghai_starts = [shanghai(2024, 9, 10, 3) + n * step for n in range(40)]
    # Wall-clock steps in Berlin also produce times inside the DST gap and fold.
    spring = [berlin(2025, 3, 24, 1) + n * step for n in range(30)]
    autumn = [berlin(2025, 10, 20, 1) + n * step for n in range(30)]
    return shanghai_starts + spring + autumn


@pytest.mark.parametrize(
    "calendar",
    [
        shanghai_calendar(),
        berlin_office(),
        BusinessCalendar.from_dict(
            {
                "timezone": "Europe/Berlin",
                "hours": {"sat": [["22:00", "24:00"]], "sun": [["00:00", "03:30"]]},
            }
        ),
        BusinessCalendar.always("Europe/Berlin"),
    ],
    ids=["shanghai", "berlin-office", "berlin-night", "berlin-24x7"],
)
def test_between_inverts_add(calendar: BusinessCalendar) -> None:
    for start in _sample_starts():
        for duration in (timedelta(seconds=1), hours(0.5), hours(7.5), hours(40), hours(123.25)):
            due = calendar.add_business_time(start, duration)
            assert calendar.business_time_between(start, due) == duration, (start, duration)
            # The earliest such instant: one second earlier, one second is missing.
            earlier = due - timedelta(seconds=1)
            assert calendar.business_time_between(start, earlier) == duration - timedelta(
                seconds=1
            ), (start, duration)
            assert calendar.is_working_time(earlier), (start, duration)
            # Splitting the range anywhere adds up.
            middle = start + (due - start) / 3
            assert (
                calendar.business_time_between(start, middle)
                + calendar.business_time_between(middle, due)
                == duration
            )


# -- validation --------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    calendar = shanghai_calendar()
    naive = datetime(2024, 11, 11, 9)
    with pytest.raises(ValueError, match=r"^start: naive datetime 2024-11-11T09:00:00"):
        calendar.add_business_time(naive, hours(1))
    with pytest.raises(ValueError, match=r"^end: naive datetime"):
        calendar.business_time_between(shanghai(2024, 11, 11, 9), naive)
    with pytest.raises(ValueError, match=r"^instant: naive datetime"):
        calendar.is_working_time(naive)
    with pytest.raises(ValueError, match=r"^instant: naive datetime"):
        calendar.next_working_moment(naive)


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^duration: must not be negative"):
        shanghai_calendar().add_business_time(shanghai(2024, 11, 11, 9), -hours(1))


def test_duration_beyond_the_calendar_range_is_rejected() -> None:
    # timedelta.max is ~2.7 million years; datetime ends in 9999.
    with pytest.raises(ValueError, match=r"^duration: .* runs past the year 9999"):
        shanghai_calendar().add_business_time(shanghai(2024, 11, 11, 9), timedelta.max)
    # Twenty years of 37.5 h weeks from 9990 fit in real time but not in working time.
    with pytest.raises(ValueError, match=r"^duration: .* runs past the year 9999"):
        shanghai_calendar().add_business_time(shanghai(9990, 1, 1), hours(37.5 * 52 * 20))


def _valid_dict(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "timezone": "Asia/Shanghai",
        "hours": {"mon": [["08:30", "12:00"], ["13:30", "17:30"]]},
        "holidays": ["2024-10-01"],
        "workdays": ["2024-10-12"],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus"}, r"^timezone: unknown IANA time zone 'Mars/Olympus'"),
        ({"timezone": ""}, r"^timezone: expected an IANA time zone name, got ''"),
        (
            {"hours": {"mon": [["13:30", "12:00"]]}},
            r"^hours\.mon\[0\]: end 12:00 is not after start 13:30",
        ),
        (
            {"hours": {"tue": [["08:30", "12:00"], ["11:00", "13:00"]]}},
            r"^hours\.tue: intervals 08:30–12:00 and 11:00–13:00 overlap",
        ),
        (
            {"hours": {"wed": [["24:00", "24:00"]]}},
            r"^hours\.wed\[0\]\.start: expected a time 'HH:MM' or 'HH:MM:SS', got '24:00'",
        ),
        ({"hours": {"thu": [["8:30", "12:00"]]}}, r"^hours\.thu\[0\]\.start: .*got '8:30'"),
        ({"hours": {"fri": [["08:30"]]}}, r"^hours\.fri\[0\]: expected a \[start, end\] pair"),
        ({"hours": {"funday": []}}, r"^hours: unknown weekday 'funday'"),
        ({"hours": [["08:30", "12:00"]]}, r"^hours: expected an object keyed mon…sun"),
        (
            {"holidays": ["2024-10-01", "2024-02-30"]},
            r"^holidays\[1\]: expected a date 'YYYY-MM-DD', got '2024-02-30'",
        ),
        ({"workdays": ["12/10/2024"]}, r"^workdays\[0\]: expected a date 'YYYY-MM-DD'"),
        ({"holidays": "2024-10-01"}, r"^holidays: expected a list of dates"),
        ({"holidays": [20241001]}, r"^holidays\[0\]: expected 'YYYY-MM-DD', got 20241001"),
        ({"holidays": ["2024-10-12"]}, r"^holidays/workdays: 2024-10-12 is listed as both"),
        ({"makeup_weekday": "funday"}, r"^makeup_weekday: expected a weekday 0–6 or mon…sun"),
        ({"makeup_weekday": "sun"}, r"^makeup_weekday: 'sun' has no working hours"),
        ({"holiday": []}, r"^calendar: unknown field\(s\) holiday"),
    ],
)
def test_from_dict_rejects_bad_input_naming_the_field(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_dict(_valid_dict(**changes))


def test_from_dict_requires_timezone_and_hours() -> None:
    with pytest.raises(ValueError, match=r"^timezone: missing"):
        BusinessCalendar.from_dict({"hours": {}})
    with pytest.raises(ValueError, match=r"^hours: missing"):
        BusinessCalendar.from_dict({"timezone": "UTC"})
    with pytest.raises(ValueError, match=r"^calendar: expected an object"):
        BusinessCalendar.from_dict([])  # type: ignore[arg-type]


def test_constructor_validates_like_from_dict() -> None:
    with pytest.raises(ValueError, match=r"^hours\.sat\[0\]: end 09:00 is not after start 10:00"):
        BusinessCalendar("UTC", {5: [(time(10), time(9))]})
    with pytest.raises(ValueError, match=r"^holidays\[0\]: expected a date"):
        BusinessCalendar("UTC", {}, holidays=frozenset({datetime(2024, 1, 1)}))
    with pytest.raises(ValueError, match=r"^makeup_weekday: .*got True"):
        BusinessCalendar("UTC", {}, makeup_weekday=True)


# -- storage -----------------------------------------------------------------------


def test_to_dict_is_json_and_round_trips() -> None:
    calendar = shanghai_calendar()
    data = calendar.to_dict()
    assert data == {
        "timezone": "Asia/Shanghai",
        "hours": {
            "mon": OFFICE_HOURS,
            "tue": OFFICE_HOURS,
            "wed": OFFICE_HOURS,
            "thu": OFFICE_HOURS,
            "fri": OFFICE_HOURS,
            "sat": [],
            "sun": [],
        },
        "holidays": [
            "2024-09-15",
            "2024-09-16",
            "2024-09-17",
            "2024-10-01",
            "2024-10-02",
            "2024-10-03",
            "2024-10-04",
            "2024-10-05",
            "2024-10-06",
            "2024-10-07",
        ],
        "workdays": ["2024-09-14", "2024-09-29", "2024-10-12"],
        "makeup_weekday": "mon",
    }
    assert BusinessCalendar.from_dict(json.loads(json.dumps(data))) == calendar
    always = BusinessCalendar.always("Europe/Berlin")
    assert always.to_dict()["hours"]["sun"] == [["00:00", "24:00"]]
    assert BusinessCalendar.from_dict(always.to_dict()) == always


def test_constructor_normalises_mappings_and_strings() -> None:
    # Same hours given three ways are one calendar (and hash alike, so usable as keys).
    by_index = BusinessCalendar("UTC", {0: [("09:00", "17:00")]})
    by_name = BusinessCalendar("UTC", {"mon": [(time(9), time(17))]})
    as_tuple = BusinessCalendar("UTC", (((time(9), time(17)),), (), (), (), (), (), ()))
    assert by_index == by_name == as_tuple
    assert len({by_index, by_name, as_tuple}) == 1
    assert by_index.hours[0] == ((time(9), time(17)),)
