"""A file's wall-clock times read in the zone it declares, filed under the company's days.

Every figure is worked out by hand from the zones' rules: a timestamp goes file zone →
UTC → company day and interval once, so a reader in the company zone sees each reading
at the instant it was taken, whatever zone the file was written in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from crm_industry_power import loadcurve

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _file(meter: str, rows: list[tuple[str, float]]) -> str:
    return "\n".join(["meter,timestamp,value", *(f"{meter},{t},{v}" for t, v in rows)]) + "\n"


def _day(db, account, day, tz):
    curve = loadcurve.day_curve(db, account, day, tz)
    return curve, loadcurve.metrics(curve, None, account.contracted_kva, tz)


def test_a_london_file_on_the_day_clocks_go_forward_into_a_shanghai_company(
    db, make_account, import_text
):
    account = make_account("Z1", meters=("MZ1",))
    # London 2026-03-29: 01:00 GMT jumps to 02:00 BST, so 01:00 does not exist.
    rows = [(f"2026-03-29 {h:02d}:00", 50 if h == 12 else 10) for h in range(24)]
    report = import_text(_file("MZ1", rows), interval=60, tz=LONDON)
    assert [p.line for p in report.rejects] == [3] and report.new == 23
    # 00:00 GMT = 08:00 Shanghai; 02:00–16:00 BST = 01:00–15:00 UTC = 09:00–23:00
    # Shanghai; 17:00–23:00 BST fall on the next Shanghai day (00:00–06:00).
    curve, m = _day(db, account, date(2026, 3, 29), SHANGHAI)
    assert [i for i, v in enumerate(curve.mwh) if v is not None] == list(range(8, 24))
    assert m.present == 16 and m.energy_kwh == 15 * 10 + 50
    # 12:00 BST = 11:00 UTC (19:00 in Shanghai), not 12:00 Shanghai.
    assert (m.max_kw, m.max_at) == (50, datetime(2026, 3, 29, 11, 0, tzinfo=UTC))
    assert (m.min_kw, m.avg_kw) == (10, pytest.approx(200 / 16))
    assert m.load_factor == pytest.approx(12.5 / 50) and m.min_ratio == pytest.approx(0.2)
    following, n = _day(db, account, date(2026, 3, 30), SHANGHAI)
    assert [i for i, v in enumerate(following.mwh) if v is not None] == list(range(7))
    assert n.energy_kwh == 70


def test_a_new_york_file_on_the_day_clocks_go_back_into_a_shanghai_company(
    db, make_account, import_text
):
    account = make_account("Z2", meters=("MZ2",))
    # New York 2026-11-01: 02:00 EDT goes back to 01:00 EST, so 01:00 occurs twice;
    # the second 01:00 (EST, 06:00 UTC) carries the day's peak.
    hours = [0, 1, 1, *range(2, 24)]
    rows = [(f"2026-11-01 {h:02d}:00", 40 if n == 2 else 10) for n, h in enumerate(hours)]
    report = import_text(_file("MZ2", rows), interval=60, tz=NEW_YORK)
    assert (report.new, report.rejects, report.gaps) == (25, [], [])
    # 00:00 EDT = 04:00 UTC = 12:00 Shanghai; 10:00 EST = 15:00 UTC = 23:00 Shanghai.
    curve, m = _day(db, account, date(2026, 11, 1), SHANGHAI)
    assert [i for i, v in enumerate(curve.mwh) if v is not None] == list(range(12, 24))
    assert curve.mwh[14] == 40_000_000  # 14:00 Shanghai = 06:00 UTC = 01:00 EST
    assert m.present == 12 and m.energy_kwh == 11 * 10 + 40
    assert (m.max_kw, m.max_at) == (40, datetime(2026, 11, 1, 6, 0, tzinfo=UTC))
    assert m.avg_kw == pytest.approx(12.5) and m.min_ratio == pytest.approx(0.25)
    assert m.load_factor == pytest.approx(12.5 / 40)
    following, n = _day(db, account, date(2026, 11, 2), SHANGHAI)
    assert n.present == 13 and n.energy_kwh == 130


def test_a_shanghai_file_into_a_london_company_fills_its_23_hour_day(
    db, make_account, import_text, company_zone
):
    london = company_zone("Europe/London")
    account = make_account("Z3", meters=("MZ3",))
    # London's 2026-03-29 runs from 00:00 UTC to 23:00 UTC: 08:00 on the 29th to 06:00
    # on the 30th in Shanghai, 23 hours.
    rows = [(f"2026-03-29 {h:02d}:00", 50 if h == 19 else 10) for h in range(8, 24)]
    rows += [(f"2026-03-30 {h:02d}:00", 10) for h in range(7)]
    report = import_text(_file("MZ3", rows), interval=60, tz=SHANGHAI)
    assert (report.new, report.rejects, report.gaps) == (23, [], [])
    curve, m = _day(db, account, date(2026, 3, 29), london)
    assert len(curve.mwh) == 23 and m.present == 23
    assert m.energy_kwh == 22 * 10 + 50 and m.avg_kw == pytest.approx(270 / 23)
    # 19:00 Shanghai = 11:00 UTC = 12:00 BST: slot 11 of London's short day.
    assert curve.mwh[11] == 50_000_000
    assert (m.max_kw, m.max_at) == (50, datetime(2026, 3, 29, 11, 0, tzinfo=UTC))
    assert m.min_ratio == pytest.approx(0.2) and m.load_factor == pytest.approx(270 / 23 / 50)


def test_a_plain_day_is_filed_the_same_by_arrays_and_row_by_row(db, make_account, import_text):
    account = make_account("Z4", meters=("MZ4", "MZ5"))
    # A day of one offset in both zones (GMT, CST): the array path files it. The same
    # readings with an explicit offset go row by row; both must land in the same slots.
    plain = [(f"2026-11-10 {s // 4:02d}:{s % 4 * 15:02d}", s) for s in range(96)]
    offset = [(f"2026-11-10T{s // 4:02d}:{s % 4 * 15:02d}:00+00:00", s) for s in range(96)]
    import_text(_file("MZ4", plain), tz=LONDON)
    import_text(_file("MZ5", offset), tz=LONDON)
    for meter in account.meters:
        curves = loadcurve.account_curves(db, account, date(2026, 11, 10), date(2026, 11, 11),
                                          SHANGHAI)  # fmt: skip
        assert [c.day for c in curves] == [date(2026, 11, 10), date(2026, 11, 11)]
        assert meter.number in ("MZ4", "MZ5")
    # 00:00 GMT = 08:00 Shanghai: slot 32 holds the first reading (0 kWh), and
    # 16:00 GMT (slot 64 of the file) opens the next Shanghai day.
    first, second = curves
    assert first.mwh[32] == 0 and first.mwh[95] == 2 * 63 * 1_000_000
    assert second.mwh[0] == 2 * 64 * 1_000_000 and second.mwh[31] == 2 * 95 * 1_000_000


def test_a_start_off_the_company_interval_grid_is_refused(db, make_account, import_text):
    make_account("Z6", meters=("MZ6",))
    # Kolkata is UTC+05:30: its whole hours are half past in Shanghai.
    report = import_text(_file("MZ6", [("2026-11-10 10:00", 1)]), interval=60,
                         tz=ZoneInfo("Asia/Kolkata"))  # fmt: skip
    assert [p.reason for p in report.rejects] == [
        "2026-11-10 12:30 (Asia/Shanghai) is not on a 60-minute boundary of the company's day"
    ]
