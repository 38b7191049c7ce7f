"""Readings through the host's import job: batches that each commit, the same checks
as a one-transaction import, problems spanning batches still found, resumable."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from crm_industry_power import profiles, readings, storage, tariffs
from crm_industry_power.models import ReadingDay

from crm_host.cli.main import cli as crm
from crm_host.sdk.customers import customer_service as customers
from crm_host.sdk.customers import read_records

from .test_readings import PROBLEMS

SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed_meters(database) -> None:
    """Account A1 of 1,000 kVA with meters M1 and M2, committed."""
    with database.session() as session:
        tariffs.save_tariff(
            session,
            {
                "code": "job-tou",
                "name": "大工业分时",
                "peak_price": "1.0",
                "flat_price": "0.6",
                "valley_price": "0.3",
                "periods": [{"period": "peak", "start": "18:00", "end": "21:00"}],
            },
        )
        customer = customers.create_customer(
            session, {"code": "RJ1", "name": "无锡精工", "kind": "organization"}
        )
        account = profiles.save_account(
            session,
            {
                "number": "A1",
                "customer_id": customer.id,
                "service_point": "A1 工业园区",
                "category": "large_industry",
                "voltage_level": "10kV",
                "contracted_kva": "1000",
                "tariff": "job-tou",
                # Refusing overloads: the file's 99999 kWh (line 13) is a refusal.
                "refuse_overload": True,
            },
        )
        for number in ("M1", "M2"):
            profiles.save_meter(session, {"number": number, "account_id": account.id})
        session.commit()


def stored_days(database) -> list[tuple[str, list[int]]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(ReadingDay.meter_id, ReadingDay.day, ReadingDay.values).order_by(
                ReadingDay.meter_id, ReadingDay.day
            )
        ).all()
    return [(f"{row.meter_id}:{row.day}", storage.unpack(row.values)) for row in rows]


def test_crm_import_runs_readings_in_batches_with_the_same_verdicts(
    committed_app, committed_db, tmp_path
):
    seed_meters(committed_db)
    source = tmp_path / "readings.csv"
    source.write_text(PROBLEMS, encoding="utf-8")
    runner = committed_app.test_cli_runner()
    # Two rows a batch: line 4 duplicates line 3 of the batch before, and the gap
    # before line 6 starts in the first batch.
    args = ["import", "power.readings", str(source), "--batch-size", "2"]
    options = ["-o", "interval=15", "-o", "unit=kWh"]
    result = runner.invoke(crm, [*args, *options])
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 unchanged, 7 rejected" in result.output
    assert (
        "line 6: meter M1: gap: 3 interval(s) missing after 2026-10-31T16:15:00+00:00 (line 3)"
        in result.output
    )
    rejects = (tmp_path / "readings.csv.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[1:3] == [
        "4,meter M1: duplicate of line 3 (2026-11-01 00:15),M1,2026-11-01 00:15,26",
        "5,meter M1: negative value -1,M1,2026-11-01 01:00,-1",
    ]
    assert [line.split(",")[0] for line in rejects[1:]] == ["4", "5", "7", "10", "11", "12", "13"]
    days = stored_days(committed_db)
    assert [values[:6] for _key, values in days] == [
        [25_000_000, 25_000_000, -1, -1, -1, 25_000_000],
        [10_000_000, 10_500_000, -1, -1, -1, -1],
    ]

    # The same file read as demand, not energy, is another import; kWh again changes nothing.
    again = runner.invoke(crm, [*args, *options, "--again"])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 5 unchanged, 7 rejected" in again.output
    assert stored_days(committed_db) == days


def test_options_are_checked_before_anything_is_queued(committed_app, committed_db, tmp_path):
    source = tmp_path / "readings.csv"
    source.write_text(PROBLEMS, encoding="utf-8")
    runner = committed_app.test_cli_runner()
    bad = runner.invoke(
        crm,
        ["import", "power.readings", str(source), "-o", "interval=7", "-o", "unit=kVA"],
    )
    assert bad.exit_code != 0
    assert "interval: One of 15, 30, 60 minutes." in bad.output
    assert "unit: One of kWh, kW, MWh, MW, kvarh, kvar, Mvarh, Mvar" in bad.output
    unknown = runner.invoke(
        crm,
        ["import", "power.readings", str(source), "-o", "interval=15", "-o", "unit=kWh",
         "-o", "colour=red"],
    )  # fmt: skip
    assert unknown.exit_code != 0 and "colour: Unknown option" in unknown.output
    missing = runner.invoke(crm, ["import", "power.readings", str(source)])
    assert missing.exit_code != 0 and "interval" in missing.output
    customers_with_options = runner.invoke(
        crm, ["import", "customers", str(source), "-o", "unit=kWh"]
    )
    assert "this importer takes no options (given: unit)" in customers_with_options.output


def test_a_resumed_import_judges_the_rest_as_if_it_had_never_stopped(
    db, make_account, tmp_path: Path
):
    make_account("A1", meters=("M1", "M2"), refuse_overload=True)
    source = tmp_path / "readings.csv"
    source.write_text(PROBLEMS, encoding="utf-8")
    _header, records = read_records(source, "csv")
    records = list(records)
    whole = readings.ReadingsImporter(db, interval=15, unit="kWh", tz=SHANGHAI)
    expected = whole._check(db, records)[0]

    # Committed the first three rows, then stopped: a new importer remembers them.
    resumed = readings.ReadingsImporter(db, interval=15, unit="kWh", tz=SHANGHAI)
    resumed.remember(records[:3])
    result = resumed.import_batch(db, records[3:])
    assert [r.line for r in result.rejects] == [p.line for p in expected.rejects if p.line > 4]
    assert [(n.line, n.reason) for n in result.notices] == [
        (6, "meter M1: " + expected.gaps[0].reason)
    ]
    # A fresh importer that forgot them would not know line 4 repeats line 3.
    forgetful = readings.ReadingsImporter(db, interval=15, unit="kWh", tz=SHANGHAI)
    assert 4 not in [p.line for p in forgetful._check(db, records[2:])[0].rejects]


@pytest.mark.parametrize("value", ["15", " 15 "])
def test_check_options_cleans_the_values(db, value):
    assert readings.ReadingsImporter.check_options(db, {"interval": value, "unit": "kW"}) == {
        "interval": 15,
        "unit": "kW",
        "timezone": None,
    }
