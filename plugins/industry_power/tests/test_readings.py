"""Importing readings: every problem reported at its line, good rows kept, a second
import changing nothing, and the compact storage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import sqlalchemy as sa
from crm_industry_power import readings, storage
from crm_industry_power.models import Meter, ReadingDay

from crm_host.sdk import ValidationFailed
from crm_host.sdk.customers import ImportFileError

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
    # An account that refuses overloads: line 13's 99999 kWh is refused, not noticed.
    make_account("A1", meters=("M1", "M2"), refuse_overload=True)
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
    from crm_host.sdk import AuditLog

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


BERLIN = ZoneInfo("Europe/Berlin")

#: Rows of every shape: plain ones read as arrays, and others (an offset, spaces, an
#: exponent, a third 02:00 on the day the clocks go back, seven decimals) read one by
#: one. M2 (multiplier 0.5, 1 kVA: at most 3 kW) gets a value at its limit and one over.
MIXED = (
    "\ufeffmeter,timestamp,value\r\n"
    "M1,2026-10-24 23:00,1.5\r\n"
    "M1,2026-10-24 23:15:00,2\r\n"
    "\r\n"
    "M1,2026-10-24T23:30,0.000001\r\n"
    "M1,2026-10-24 23:30,7\r\n"
    "M1,2026-10-25 02:00,3\r\n"
    "M1,2026-10-25 02:00,4\r\n"
    "M1,2026-10-25 02:00,5\r\n"
    "M1,2026-10-24T21:45:00Z,6\r\n"
    "M1, 2026-10-24 22:15 ,1e1\r\n"
    "M2,2026-10-24 23:00,0.0000005\r\n"
    "M2,2026-10-24 23:15,{limit}\r\n"
    "M2,2026-10-24 23:30,{over}\r\n"
    "M3,2026-10-24 23:00,1\r\n"
    "M1,2026-10-24 23:45\r\n"
    "M1,2026-02-30 00:00,1\r\n"
    ",2026-10-24 23:45,1\r\n"
)


def _everything(db, report):
    rows = db.execute(
        sa.select(ReadingDay.meter_id, ReadingDay.day, ReadingDay.values).order_by(
            ReadingDay.meter_id, ReadingDay.day
        )
    ).all()
    return (
        [str(p) for p in report.rejects],
        [str(p) for p in report.gaps],
        (report.rows, report.new, report.changed, report.unchanged),
        [(r.day, storage.unpack(r.values)) for r in rows],
    )


@pytest.mark.parametrize(
    ("unit", "limit", "over"), [("kWh", "1.5", "1.500001"), ("kW", "6", "6.000001")]
)
def test_rows_read_as_arrays_get_the_verdicts_of_rows_read_one_by_one(
    db, make_account, import_text, monkeypatch, company_zone, unit, limit, over
):
    from crm_industry_power.readings import columns as readings_columns
    from crm_industry_power.readings import rows

    # A Berlin company: its days, 25 hours long on 2026-10-25, are the days stored.
    company_zone("Europe/Berlin")
    make_account("A1", meters=("M1",))
    # A2 refuses overloads, so its value over 3× the capacity is refused, not noticed.
    make_account("A2", meters=("M2",), kva="1", refuse_overload=True)
    db.scalar(sa.select(Meter).where(Meter.number == "M2")).multiplier = Decimal("0.5")
    db.commit()
    text = MIXED.format(limit=limit, over=over)
    one_by_one = []
    check_row = rows.check_row
    monkeypatch.setattr(
        rows,
        "check_row",
        lambda s, record, *a: one_by_one.append(record.line) or check_row(s, record, *a),
    )
    # Lines split and rows parsed a few at a time, so that chunks end mid-file.
    monkeypatch.setattr(readings_columns, "CHUNK_BYTES", 40)
    monkeypatch.setattr(readings_columns, "CHUNK_ROWS", 3)
    fast = _everything(db, import_text(text, tz=BERLIN, unit=unit))
    # Only the unusual rows and the refused ones went one by one.
    assert one_by_one == [7, 8, 9, 10, 11, 12, 14, 17, 18]
    db.execute(sa.delete(ReadingDay))
    db.commit()
    # Every row one by one: no value counts as plain.
    monkeypatch.setattr(
        readings_columns,
        "_values",
        lambda buf, starts, ends: (np.zeros(len(starts), bool), np.zeros(len(starts), np.int64)),
    )
    assert _everything(db, import_text(text, tz=BERLIN, unit=unit)) == fast
    rejects, gaps, counts, days = fast
    assert rejects == [
        "line 6: meter M1: duplicate of line 5 (2026-10-24 23:30)",
        "line 9: meter M1: 2026-10-25 02:00 occurs only twice in Europe/Berlin, "
        "and this is a third time",
        f"line 14: meter M2: impossible value {over} {unit}: 3.0 kW is over 3× "
        "the contracted capacity (1 kVA)",
        "line 15: meter M3: unknown meter M3",
        "line 16: 2 fields where the header has 3",
        "line 17: meter M1: timestamp '2026-02-30 00:00' is not a date and time (2026-11-01 00:15)",
        "line 18: meter: Required.",
    ]
    assert gaps == [
        "line 2: meter M1: gap: 2 interval(s) missing after 2026-10-24T20:15:00+00:00 (line 11)",
        "line 7: meter M1: gap: 8 interval(s) missing after 2026-10-24T21:45:00+00:00 (line 10)",
        "line 8: meter M1: gap: 3 interval(s) missing after 2026-10-25T00:00:00+00:00 (line 7)",
    ]
    assert counts == (16, 9, 0, 0)
    m1_24, m1_25, m2_24 = days
    # 22:15 (1e1), 23:00, 23:15, 23:30 (0.000001) and 23:45 (06:45 UTC) in slots 89–95;
    # as kW over a quarter hour, a quarter of that in kWh (0.25 mWh rounds to 0).
    assert m1_24[1][89:] == (
        [10_000_000, -1, -1, 1_500_000, 2_000_000, 1, 6_000_000]
        if unit == "kWh"
        else [2_500_000, -1, -1, 375_000, 500_000, 0, 1_500_000]
    )
    # The 25-hour day: 02:00 summer time at slot 8, 02:00 winter time at slot 12.
    scale = 1 if unit == "kWh" else 4
    assert len(m1_25[1]) == 100
    assert (m1_25[1][8], m1_25[1][12]) == (3_000_000 // scale, 4_000_000 // scale)
    # 0.0000005 × 0.5 = 0.25 mWh rounds to 0 (half a mWh at most either way); the value
    # at the limit is kept: 1.5 kWh × 0.5, or 6 kW × 0.5 over a quarter hour.
    assert m2_24[1][92:95] == [0, 750_000, -1]


def test_new_days_are_stored_as_the_models_store_them(db, account, import_text):
    import_text("meter,timestamp,value\nM1,2026-11-01 00:00,25\n")
    row = db.execute(sa.select(ReadingDay.day, ReadingDay.updated_at)).one()
    assert row.day == date(2026, 11, 1) and row.updated_at.tzinfo is not None
    if db.bind.dialect.name == "sqlite":
        # Written in one executemany, in the text forms SQLAlchemy gives dates and times.
        day, updated = db.execute(sa.text("SELECT day, updated_at FROM power_reading_days")).one()
        assert day == "2026-11-01"
        assert len(updated) == len("2026-11-01 00:00:00.000000") and updated[10] == " "


def test_a_file_with_quotes_is_read_record_by_record_with_the_same_verdicts(
    db, make_account, import_text
):
    make_account("A1", meters=("M1", "M2"))
    plain = _everything(db, import_text(PROBLEMS))
    db.execute(sa.delete(ReadingDay))
    db.commit()
    quoted = PROBLEMS.replace("M1,2026-11-01 00:00,25", '"M1","2026-11-01 00:00","25"')
    assert _everything(db, import_text(quoted)) == plain
