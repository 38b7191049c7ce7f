"""SLA clocks kept in the database, for any object: due times, pauses, breaches exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm_host.core.errors import Conflict
from crm_host.domain.sla import BusinessCalendar
from crm_host.domain.sla.store import (
    clock_state,
    detect_breaches,
    pause_clock,
    resume_clock,
    save_calendar,
    start_clock,
    stop_clock,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def office(db):
    day = ((time(9), time(18)),)
    calendar = BusinessCalendar(
        timezone="Asia/Shanghai",
        hours=(day, day, day, day, day, (), ()),
        holidays=frozenset({date(2026, 11, 30)}),  # Monday
    )
    save_calendar(db, "office", calendar)
    return "office"


def test_due_time_across_a_weekend_a_holiday_and_a_pause(db, office):
    # Friday 27 Nov 16:00 Shanghai, 8 working hours:
    # Fri 16:00–18:00 = 2 h; Sat, Sun off; Mon 30 Nov a holiday;
    # Tue 1 Dec 09:00 + 6 h = 15:00 Shanghai = 07:00 UTC.
    clock = start_clock(
        db,
        "service.ticket",
        42,
        "resolution",
        target=timedelta(hours=8),
        calendar=office,
        at=local(2026, 11, 27, 16),
    )
    assert clock.due_at == datetime(2026, 12, 1, 7, tzinfo=UTC)

    # Paused Tue 10:00 (3 h used: 2 on Friday, 1 on Tuesday), resumed 14:00:
    # 5 h left from Tue 14:00 → 18:00 uses 4 → Wed 09:00 + 1 h = 10:00 Shanghai = 02:00 UTC.
    paused = pause_clock(db, "service.ticket", 42, "resolution", at=local(2026, 12, 1, 10))
    assert paused.due_at is None
    resumed = resume_clock(db, "service.ticket", 42, "resolution", at=local(2026, 12, 1, 14))
    assert resumed.due_at == datetime(2026, 12, 2, 2, tzinfo=UTC)
    state = clock_state(db, "service.ticket", 42, "resolution")
    assert state.remaining(local(2026, 12, 2, 9, 30)) == timedelta(minutes=30)


def test_breaches_are_marked_exactly_once(db, office):
    start_clock(
        db,
        "service.ticket",
        1,
        "first_response",
        target=timedelta(hours=1),
        calendar=office,
        at=local(2026, 12, 1, 9),
    )  # due Tue 10:00
    start_clock(
        db,
        "service.ticket",
        2,
        "first_response",
        target=timedelta(hours=1),
        calendar=office,
        at=local(2026, 12, 1, 9),
    )
    stop_clock(db, "service.ticket", 2, "first_response", at=local(2026, 12, 1, 9, 30))  # in time
    assert detect_breaches(db, now=local(2026, 12, 1, 9, 59)) == []
    breached = detect_breaches(db, now=local(2026, 12, 1, 10, 30))
    assert [(c.object_id, c.name) for c in breached] == [("1", "first_response")]
    assert detect_breaches(db, now=local(2026, 12, 1, 11)) == []  # run twice: once


def test_a_clock_stopped_late_is_still_reported_once(db, office):
    start_clock(
        db,
        "service.ticket",
        3,
        "first_response",
        target=timedelta(hours=1),
        calendar=office,
        at=local(2026, 12, 1, 9),
    )  # due Tue 10:00; answered at 10:20, before any check ran
    stop_clock(db, "service.ticket", 3, "first_response", at=local(2026, 12, 1, 10, 20))
    breached = detect_breaches(db, now=local(2026, 12, 1, 10, 30))
    assert [(c.object_id, c.name) for c in breached] == [("3", "first_response")]
    assert detect_breaches(db, now=local(2026, 12, 1, 12)) == []


def test_several_clocks_per_object_and_clear_conflicts(db):
    start_clock(
        db,
        "power.fault",
        7,
        "arrival",
        target=timedelta(minutes=45),
        at=datetime(2026, 12, 1, 1, tzinfo=UTC),
    )
    start_clock(
        db,
        "power.fault",
        7,
        "restore",
        target=timedelta(hours=4),
        at=datetime(2026, 12, 1, 1, tzinfo=UTC),
    )
    assert clock_state(db, "power.fault", 7, "arrival").due_at() == datetime(
        2026, 12, 1, 1, 45, tzinfo=UTC
    )
    with pytest.raises(Conflict, match="already has a clock 'arrival'"):
        start_clock(db, "power.fault", 7, "arrival", target=timedelta(minutes=45))
    stop_clock(db, "power.fault", 7, "arrival", at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC))
    with pytest.raises(Conflict):
        pause_clock(db, "power.fault", 7, "arrival", at=datetime(2026, 12, 1, 1, 40, tzinfo=UTC))


def test_calendar_commands(cli, tmp_path):
    spec = tmp_path / "office.json"
    spec.write_text(
        '{"timezone": "Asia/Shanghai", "hours": {"mon": [["09:00", "18:00"]], '
        '"tue": [["09:00", "18:00"]]}}',
        encoding="utf-8",
    )
    assert cli("calendars", "add", "office", str(spec)).exit_code == 0
    result = cli(
        "calendars", "holidays", "office", "--add", "2026-10-01", "--workday", "2026-10-10"
    )
    assert result.exit_code == 0, result.output
    assert "1 holiday(s), 1 make-up day(s)" in result.output
    assert '"2026-10-01"' in cli("calendars", "show", "office").output
    assert "office" in cli("calendars", "list").output
    bad = tmp_path / "bad.json"
    bad.write_text('{"timezone": "Mars/Olympus", "hours": {}}')
    refused = cli("calendars", "add", "mars", str(bad))
    assert refused.exit_code != 0 and "timezone" in refused.output
