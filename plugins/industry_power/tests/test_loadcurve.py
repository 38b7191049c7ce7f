"""Metrics of a hand-made 96-point day, a daylight-saving day and an hourly file,
against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from crm_industry_power import loadcurve, storage
from crm_industry_power.models import ReadingDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 2)


def test_the_hand_made_day(db, account, import_text, day_csv, hand_made_day):
    # kW: 100 ×28 (00–07), 200 ×4, 400 ×12 (08–11 peak), 300 ×28, 500 ×12 (18–21 peak,
    # but 600 at 19:00), 200 ×8, 100 ×4 (23–24). Energy (kWh = kW / 4 per quarter):
    #   valley 32 × 25 = 800; flat 4 × 50 + 28 × 75 + 8 × 50 = 2700;
    #   peak 12 × 100 + 11 × 125 + 150 = 2725; total 6225.
    report = import_text(day_csv("M1", DAY, hand_made_day))
    assert (report.new, report.rejects, report.gaps) == (96, [], [])
    curve = loadcurve.day_curve(db, account, DAY, SHANGHAI)
    m = loadcurve.metrics(curve, account.tariff, account.contracted_kva, SHANGHAI)
    assert (m.intervals, m.present) == (96, 96)
    assert m.max_kw == 600 and m.min_kw == 100
    assert m.max_at == datetime(2026, 11, 2, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
    assert m.avg_kw == pytest.approx(6225 / 24)  # 259.375
    assert m.load_factor == pytest.approx(259.375 / 600)  # 0.4323
    assert m.min_ratio == pytest.approx(100 / 600)
    assert m.peak_valley_kw == 500 and m.peak_valley_rate == pytest.approx(500 / 600)
    assert m.utilisation == pytest.approx(0.6)
    assert m.energy_by_period == {
        "peak": Decimal("2725"),
        "flat": Decimal("2700"),
        "valley": Decimal("800"),
    }
    assert m.energy_kwh == Decimal("6225")
    # 2725 × 1.0 + 2700 × 0.6 + 800 × 0.3
    assert m.cost_by_period == {
        "peak": Decimal("2725.00"),
        "flat": Decimal("1620.00"),
        "valley": Decimal("240.00"),
    }
    assert m.cost == Decimal("4585.00")


def test_demand_in_kw_gives_the_same_curve_as_energy(
    db, make_account, import_text, day_csv, hand_made_day
):
    account = make_account("A2", meters=("M2",))
    import_text(day_csv("M2", DAY, hand_made_day, unit="kW"), unit="kW")
    curve = loadcurve.day_curve(db, account, DAY, SHANGHAI)
    assert curve.kw == hand_made_day
    row = db.get(ReadingDay, (curve_meter := account.meters[0].id, DAY))
    assert curve_meter and storage.unpack(row.values)[0] == 25_000_000  # 25 kWh in mWh


def test_an_hourly_file(db, make_account, import_text):
    account = make_account("A3", meters=("M3",))
    # 24 hours: 10 kW at night (00–08), 50 kW by day; kWh = kW over an hour.
    rows = ["meter,timestamp,value"] + [
        f"M3,2026-11-03T{h:02d}:00:00+08:00,{10 if h < 8 else 50}" for h in range(24)
    ]
    report = import_text("\n".join(rows), interval=60)
    assert report.new == 24 and not report.rejects
    m = loadcurve.metrics(
        loadcurve.day_curve(db, account, date(2026, 11, 3), SHANGHAI),
        account.tariff,
        account.contracted_kva,
        SHANGHAI,
    )
    # 8 × 10 + 16 × 50 = 880 kWh; avg 880 / 24 = 36.67 kW; max 50; min 10.
    assert m.intervals == 24 and m.energy_kwh == Decimal(880)
    assert (m.max_kw, m.min_kw) == (50, 10)
    assert m.load_factor == pytest.approx(880 / 24 / 50)
    # valley 00–07 and 23–24: 7 × 10 + 50 = 120; peak 08–11 and 18–21: 6 × 50 = 300;
    # flat 07–08, 11–18, 21–23: 10 + 7 × 50 + 2 × 50 = 460.
    assert m.energy_by_period == {"peak": 300, "flat": 460, "valley": 120}


BERLIN = ZoneInfo("Europe/Berlin")


def test_a_day_the_clocks_go_back_has_25_hours(db, make_account, import_text, company_zone):
    company_zone("Europe/Berlin")  # a Berlin company: the day stored is Berlin's
    account = make_account("A4", meters=("M4",))
    day = date(2026, 10, 25)  # CEST → CET at 03:00: 02:00–03:00 happens twice
    hours = [0, 1, 2, 2, *range(3, 24)]
    rows = ["meter,timestamp,value"]
    for n, hour in enumerate(hours):
        rows.append(f"M4,2026-10-25 {hour:02d}:00,{20 if n == 3 else 10}")  # second 02:00: 20
    report = import_text("\n".join(rows), interval=60, tz=BERLIN)
    assert (report.new, report.rejects, report.gaps) == (25, [], [])
    assert storage.slots_in_day(day, BERLIN, 15) == 100
    curve = loadcurve.day_curve(db, account, day, BERLIN)
    assert len(curve.mwh) == 25
    m = loadcurve.metrics(curve, None, account.contracted_kva, BERLIN)
    # 24 × 10 + 20 = 260 kWh over 25 hours: avg 10.4 kW, max 20, load factor 0.52.
    assert m.energy_kwh == 260 and m.avg_kw == pytest.approx(10.4)
    assert m.max_kw == 20 and m.load_factor == pytest.approx(0.52)
    assert m.max_at == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, the second one


def test_a_day_the_clocks_go_forward_has_23_hours(db, make_account, import_text, company_zone):
    company_zone("Europe/Berlin")  # a Berlin company: the day stored is Berlin's
    account = make_account("A5", meters=("M5",))
    rows = ["meter,timestamp,value"] + [f"M5,2026-03-29 {h:02d}:00,10" for h in range(24)]
    report = import_text("\n".join(rows), interval=60, tz=BERLIN)
    # 02:00 does not exist that night: refused at its line (line 4), the rest kept.
    assert [(p.line, p.reason) for p in report.rejects] == [
        (4, "2026-03-29 02:00 does not exist in Europe/Berlin (the clocks jump over it)")
    ]
    assert report.new == 23 and report.gaps == []
    curve = loadcurve.day_curve(db, account, date(2026, 3, 29), BERLIN)
    assert len(curve.mwh) == 23
    m = loadcurve.metrics(curve, None, None, BERLIN)
    assert m.energy_kwh == 230 and m.avg_kw == pytest.approx(10) and m.load_factor == 1


def test_meters_of_one_account_add_up_at_the_coarsest_interval(db, make_account, import_text):
    account = make_account("A6", meters=("M6a", "M6b"))
    quarter = ["meter,timestamp,value"] + [
        f"M6a,2026-11-04 {s // 4:02d}:{s % 4 * 15:02d},1" for s in range(96)
    ]
    hourly = ["meter,timestamp,value"] + [f"M6b,2026-11-04 {h:02d}:00,6" for h in range(24)]
    import_text("\n".join(quarter))
    import_text("\n".join(hourly), interval=60)
    curve = loadcurve.day_curve(db, account, date(2026, 11, 4), SHANGHAI)
    # Each hour: 4 × 1 kWh + 6 kWh = 10 kWh, i.e. 10 kW.
    assert curve.interval == 60 and curve.kw == [10.0] * 24


def test_typical_day_averages_days_of_the_same_shape(db, make_account, import_text, day_csv):
    account = make_account("A7", meters=("M7",))
    for day, level in ((date(2026, 11, 5), 100.0), (date(2026, 11, 6), 300.0)):
        import_text(day_csv("M7", day, [level] * 96))
    curves = loadcurve.account_curves(db, account, date(2026, 11, 5), date(2026, 11, 6), SHANGHAI)
    assert loadcurve.typical_day(curves) == [200.0] * 96


def test_the_daily_table_measures_many_days_as_the_curves_do(
    db, make_account, import_text, day_csv, hand_made_day
):
    a1 = make_account("A1", meters=("M1",))
    a6 = make_account("A6", meters=("M6a", "M6b"))
    import_text(day_csv("M1", DAY, hand_made_day))
    hours = ["meter,timestamp,value"] + [f"M6b,2026-11-02 {h:02d}:00,6" for h in range(24)]
    quarters = [f"M6a,2026-11-02 {s // 4:02d}:{s % 4 * 15:02d},1" for s in range(96) if s != 5]
    import_text("\n".join(["meter,timestamp,value", *quarters]))
    import_text("\n".join(hours), interval=60)
    table = loadcurve.daily_table(db, DAY, DAY, SHANGHAI)
    assert table.account_id.tolist() == [a1.id, a6.id]
    assert table.interval.tolist() == [15, 60] and table.intervals.tolist() == [96, 24]
    # A1: the hand-made day (6225 kWh, 600 / 100 kW, average 259.375 kW).
    # A6: 10 kW every hour but 01:00–02:00, where M6a misses 01:15: 23 hours present.
    assert table.present.tolist() == [96, 23]
    assert table.energy_mwh.tolist() == [6_225_000_000, 230_000_000]
    assert table.max_kw.tolist() == [600, 10] and table.min_kw.tolist() == [100, 10]
    assert table.avg_kw.tolist() == pytest.approx([259.375, 10])
    assert table.load_factor.tolist() == pytest.approx([259.375 / 600, 1])
    only = loadcurve.daily_table(db, DAY, DAY, SHANGHAI, [a6.id])
    assert only.account_id.tolist() == [a6.id]
