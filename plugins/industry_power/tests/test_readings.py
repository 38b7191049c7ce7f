"""Importing readings: every problem reported at its line, good rows kept, a second
import changing nothing, and the compact storage."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import readings, storage
from crm_industry_power.models import ReadingDay

from crm_host.errors import ValidationFailed
from crm_host.importing.readers import ImportFileError

SHANGHAI = ZoneInfo("Asia/Shanghai")

PROBLEMS = """meter,timestamp,value
M1,2026-11-01 00:00,25
M1,2026-11-01 00:15,25
M1,2026-11-01 00:15,26
M1,2026-11-01 01:00,-1
M1,2026-11-01 01:15,25
M9,2026-11-01 00:00,1
M2,2026-11-01T00:00:00+08:00,10
M2,2026-10-31T16:15:00Z,10.5
M2,2026-11-01 00:20,10
M2,not-a-time,3
M2,2026-11-01 00:30,abc
M1,2026-11-01 01:30,99999
"""


def test_each_problem_is_reported_with_its_line_and_good_rows_are_kept(
    db, make_account, import_text
):
    make_account("A1", meters=("M1", "M2"))
    report = import_text(PROBLEMS)
    assert report.rows == 12
    assert [(p.line, p.meter, p.reason) for p in report.rejects] == [
        (4, "M1", "duplicate of line 3 (2026-11-01 00:15)"),
        (5, "M1", "negative value -1"),
        (7, "M9", "unknown meter M9"),
        (10, "M2", "2026-11-01 00:20:00 is not on a 15-minute boundary"),
        (11, "M2", "timestamp 'not-a-time' is not a date and time (2026-11-01 00:15)"),
        (12, "M2", "value 'abc' is not a number"),
        (
            13,
            "M1",
            "impossible value 99999 kWh: 399996.0 kW is over 3× the contracted capacity (1000 kVA)",
        ),
    ]
    # 00:30, 00:45 and 01:00 (refused) are missing before line 6's 01:15.
    assert [(p.line, p.meter) for p in report.gaps] == [(6, "M1")]
    assert "3 interval(s) missing after 2026-10-31T16:15:00+00:00 (line 3)" in report.gaps[0].reason
    assert (report.new, report.changed, report.unchanged) == (5, 0, 0)
    rows = {r.meter_id: storage.unpack(r.values) for r in db.scalars(sa.select(ReadingDay))}
    assert len(rows) == 2
    m1, m2 = rows[min(rows)], rows[max(rows)]  # M1 was created first
    assert m1[:6] == [25_000_000, 25_000_000, -1, -1, -1, 25_000_000]
    assert m2[:2] == [10_000_000, 10_500_000] and set(m2[2:]) == {storage.MISSING}

    again = import_text(PROBLEMS)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 5)
    assert [p.line for p in again.rejects] == [4, 5, 7, 10, 11, 12, 13]
    assert db.scalar(sa.select(sa.func.count()).select_from(ReadingDay)) == 2


def test_a_corrected_value_is_an_update(db, account, import_text):
    import_text("meter,timestamp,value\nM1,2026-11-01 00:00,25\n")
    report = import_text("meter,timestamp,value\nM1,2026-11-01 00:00,30\nM1,2026-11-01 00:15,5\n")
    assert (report.new, report.changed, report.unchanged) == (1, 1, 0)


def test_a_day_keeps_its_interval(db, account, import_text):
    import_text("meter,timestamp,value\nM1,2026-11-01 00:00,25\n")
    report = import_text("meter,timestamp,value\nM1,2026-11-01 01:00,25\n", interval=60)
    assert [str(p) for p in report.rejects] == [
        "line 2: meter M1: 2026-11-01 is stored as 15-minute readings, not 60-minute"
    ]


def test_readings_in_the_future_are_refused(db, account, import_text):
    report = import_text("meter,timestamp,value\nM1,2999-01-01 00:00,1\n")
    assert report.rejects[0].reason == "2999-01-01 00:00 is in the future"


def test_the_header_and_the_options_are_checked_before_anything(db, account, tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_text("meter,time,value,extra\nM1,2026-11-01 00:00,1,x\n")
    with pytest.raises(ImportFileError, match="lacks timestamp and has unknown time, extra"):
        readings.import_file(db, path, interval=15, unit="kWh", tz=SHANGHAI)
    with pytest.raises(ValidationFailed) as error:
        readings.import_file(db, path, interval=5, unit="kVArh", tz=SHANGHAI)
    assert set(error.value.details) == {"interval", "unit"}


def test_storage_is_one_packed_row_per_meter_and_day():
    day = date(2026, 11, 1)
    values = [0, 1, storage.MISSING, 2**40]
    assert storage.unpack(storage.pack(values)) == values
    assert len(storage.pack(storage.empty_day(day, SHANGHAI, 15))) == 96 * 8
    assert storage.slots_in_day(date(2026, 3, 29), ZoneInfo("Europe/Berlin"), 15) == 92


def test_an_import_is_one_audit_entry(db, account, import_text):
    from crm_host.models import AuditLog

    import_text("meter,timestamp,value\nM1,2026-11-01 00:00,1\nM1,2026-11-01 00:15,x\n")
    entries = db.scalars(
        sa.select(AuditLog).where(AuditLog.plugin == "industry_power", AuditLog.action == "import")
    ).all()
    assert len(entries) == 1 and entries[0].row_count == 1
    assert entries[0].after["refused"] == 1 and entries[0].after["unit"] == "kWh"
    created = db.scalar(
        sa.select(AuditLog.after).where(
            AuditLog.object_type == "power_accounts", AuditLog.action == "create"
        )
    )
    assert created["number"] == "A1"
