"""Readings in MW, MWh, kvar and kvarh; capacity caps by category; overloads as notices."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from crm_industry_power import loadcurve, profiles, storage
from crm_industry_power.models import Meter, ReadingDay
from crm_industry_power.readings.units import in_display_unit

from crm_host.sdk import ValidationFailed

DAY = date(2026, 11, 3)


def _rows(meter: str, values: list[str], header: str = "value") -> str:
    lines = [f"meter,timestamp,{header}"]
    lines += [f"{meter},2026-11-03 00:{15 * i:02d},{v}" for i, v in enumerate(values)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def substation(make_account):
    """A substation of 50,000,000 kVA, shown in MW, with meter SUB-1."""
    return make_account(
        "S1", meters=("SUB-1",), kva="50000000", category="substation", display_unit="MW"
    )


def test_a_substation_holds_50_million_kva_and_other_categories_have_their_caps(
    db, substation, make_account
):
    assert substation.contracted_kva == 50_000_000
    with pytest.raises(ValidationFailed) as industry:
        make_account("S2", kva="50000000")  # large industry: at most 9,999,999 kVA
    assert industry.value.details == {
        "contracted_kva": ["Greater than 0 and at most 9,999,999 kVA for a large_industry account."]
    }
    with pytest.raises(ValidationFailed) as house:
        make_account("S3", kva="2000", category="residential")
    assert "at most 1,000 kVA" in house.value.details["contracted_kva"][0]
    # Moving the substation to a category whose cap it exceeds is refused too.
    with pytest.raises(ValidationFailed) as moved:
        profiles.save_account(db, {"category": "commercial"}, substation)
    assert "contracted_kva" in moved.value.details


def test_an_mw_file_is_stored_in_kw_and_shown_back_in_mw(db, substation, import_text):
    # The unit in the header: 12.5 MW over a quarter hour = 12,500 kW = 3,125 kWh.
    report = import_text(_rows("SUB-1", ["12.5", "20", "7.5"], "value_MW"), unit=None)
    assert (report.new, report.rejects, report.overloads) == (3, [], [])
    values = storage.unpack(db.scalar(sa.select(ReadingDay.values)))
    assert values[:4] == [3_125_000_000, 5_000_000_000, 1_875_000_000, -1]
    curve = loadcurve.day_curve(db, substation, DAY, loadcurve_tz())
    assert curve.kw[:3] == [12_500, 20_000, 7_500]
    m = loadcurve.metrics(curve, None, substation.contracted_kva, loadcurve_tz())
    assert m.max_kw == 20_000 and in_display_unit(m.max_kw, substation.display_unit) == 20
    # 20,000 kW of 50,000,000 kVA.
    assert m.utilisation == pytest.approx(0.0004)


def test_mwh_given_as_an_option_and_a_disagreeing_header_is_refused(db, substation, import_text):
    # 1.5 MWh over a quarter hour = 1,500 kWh = 6,000 kW.
    import_text(_rows("SUB-1", ["1.5"]), unit="MWh")
    assert storage.unpack(db.scalar(sa.select(ReadingDay.values)))[0] == 1_500_000_000
    with pytest.raises(ValidationFailed) as twice:
        import_text(_rows("SUB-1", ["1"], "value_MW"), unit="MWh")
    assert twice.value.details == {"unit": ["The option says MWh, the header MW."]}
    with pytest.raises(ValidationFailed) as none:
        import_text(_rows("SUB-1", ["1"]), unit=None)
    assert "unit" in none.value.details


def test_reactive_readings_go_to_reactive_meters_and_stay_out_of_load_curves(
    db, substation, import_text
):
    profiles.save_meter(
        db, {"number": "SUB-Q", "account_id": substation.id, "quantity": "reactive"}
    )
    db.commit()
    # 40 kvarh over a quarter hour, stored as 40,000,000 mvarh on the reactive meter.
    report = import_text(_rows("SUB-Q", ["40"]) + "SUB-1,2026-11-03 00:00,1\n", unit="kvarh")
    assert [(p.line, p.reason) for p in report.rejects] == [
        (3, "the meter measures active power, not kvarh")
    ]
    reactive = db.scalar(sa.select(Meter.id).where(Meter.number == "SUB-Q"))
    stored = db.scalar(sa.select(ReadingDay.values).where(ReadingDay.meter_id == reactive))
    assert storage.unpack(stored)[0] == 40_000_000
    assert loadcurve.day_curve(db, substation, DAY, loadcurve_tz()) is None


def test_an_overload_is_a_notice_with_its_row_value_and_capacity(db, make_account, import_text):
    make_account("O1", meters=("MO1",), kva="1000")
    # 1,000 kWh over a quarter hour is 4,000 kW, over 3 × 1,000 kVA: stored, and noticed.
    report = import_text(_rows("MO1", ["100", "1000"]))
    assert report.rejects == [] and report.new == 2
    assert [(p.line, p.meter, p.reason) for p in report.overloads] == [
        (
            3,
            "MO1",
            "overload: value 1000 kWh is 4000.0 kW, over 3× the contracted capacity (1000 kVA)",
        )
    ]
    assert storage.unpack(db.scalar(sa.select(ReadingDay.values)))[:2] == [
        100_000_000,
        1_000_000_000,
    ]


def test_an_account_that_refuses_overloads_refuses_them(db, make_account, import_text):
    make_account("O2", meters=("MO2",), kva="1000", refuse_overload=True)
    report = import_text(_rows("MO2", ["100", "1000"]))
    assert report.overloads == [] and report.new == 1
    assert [(p.line, p.reason) for p in report.rejects] == [
        (3, "impossible value 1000 kWh: 4000.0 kW is over 3× the contracted capacity (1000 kVA)")
    ]


def loadcurve_tz():
    from crm_industry_power.zones import company_timezone

    return company_timezone()


def test_the_import_job_reads_the_header_s_unit_and_gives_overloads_as_notices(
    db, make_account, tmp_path
):
    from zoneinfo import ZoneInfo

    from crm_industry_power import readings

    from crm_host.sdk.customers import read_records

    make_account("O3", meters=("MO3",), kva="1000")
    source = tmp_path / "job.csv"
    # 0.1 MWh = 100 kWh (400 kW); 1 MWh over a quarter hour is 4,000 kW: an overload.
    source.write_text(_rows("MO3", ["0.1", "1"], "value_MWh"))
    header, records = read_records(source, "csv")
    readings.ReadingsImporter.check_header(db, header)
    options = readings.ReadingsImporter.check_options(db, {"interval": "15"})
    importer = readings.ReadingsImporter(db, **options, tz=ZoneInfo("Asia/Shanghai"))
    result = importer.import_batch(db, list(records))
    assert (result.created_count, result.rejects) == (2, [])
    assert [(n.line, n.reason) for n in result.notices] == [
        (3, "meter MO3: overload: value 1 MWh is 4000.0 kW, over 3× the contracted capacity "
            "(1000 kVA)")
    ]  # fmt: skip
    assert storage.unpack(db.scalar(sa.select(ReadingDay.values)))[:2] == [
        100_000_000,
        1_000_000_000,
    ]


def test_the_console_shows_an_mw_account_in_mw(db, substation, import_text, client_for, power_user):
    import_text(_rows("SUB-1", ["12.5", "20", "7.5"], "value_MW"), unit=None)
    console = client_for(power_user)
    html = console.get(f"/power/accounts/{substation.id}?day=2026-11-03").get_data(as_text=True)
    # 20 MW at most; 12.5 + 20 + 7.5 MW over three quarter hours = 10 MWh.
    assert '<tr data-metric="max_demand"><th scope="row">Maximum demand (MW)</th><td>20.000' in html
    assert '<tr data-metric="energy"><th scope="row">Energy (MWh)</th><td>10.000' in html
    chart = console.get(f"/power/accounts/{substation.id}/curve.json?day=2026-11-03").json
    assert chart["unit"] == "MW" and chart["series"][0]["values"][:3] == [12.5, 20, 7.5]
