"""``crm bench power.meter_data``: interval readings ingested through the plugin's own
readings path and turned into daily metrics, against polars on the same CSV file.

Both sides read the same file of meters × days × 96 quarter-hour readings and compute,
per meter and day, the energy and the maximum, minimum and average demand; the run
fails when the totals differ. The storage each reading takes in the database is
reported against the same readings as a Parquet file. polars is the bench extra's,
imported by name when the benchmark runs: the plugin never needs it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from crm_host.sdk import get_host
from crm_host.sdk.bench import Databases, Figure, app_for, baseline_library, not_installed, timer
from crm_industry_power import loadcurve, profiles, readings, tariffs
from crm_industry_power.models import Account

#: (meters, days) per size: the issue's 1,000 meters × 365 days at L.
SIZES = {"S": (4, 30), "M": (40, 365), "L": (1_000, 365)}
SLOTS = 96
INTERVAL = 15
TZ = ZoneInfo("Asia/Shanghai")
#: A whole year in the past, so no reading is refused as lying in the future.
FIRST_DAY = date(2025, 1, 1)
#: Totals may differ by float rounding only (ours sums exact milliwatt-hours).
TOLERANCE = 1e-6
TARIFF = {
    "code": "bench-tou",
    "name": "大工业分时",
    "peak_price": "1.0",
    "flat_price": "0.6",
    "valley_price": "0.3",
    "capacity_price": "30",
    "periods": [
        {"period": "valley", "start": "00:00", "end": "07:00"},
        {"period": "peak", "start": "08:00", "end": "11:00"},
        {"period": "peak", "start": "18:00", "end": "21:00"},
        {"period": "valley", "start": "23:00", "end": "24:00"},
    ],
}


def write_readings(path: Path, meters: int, days: int, seed: int = 13) -> int:
    """The readings file (``meter,timestamp,value``; kWh per quarter hour, wall-clock
    times in the company zone); returns the number of readings. The same for a seed."""
    rng = random.Random(seed)
    # A day's shape: low at night, high in working hours; each meter its own scale.
    shape = [0.3 + 0.7 * (8 <= slot // 4 < 21) for slot in range(SLOTS)]
    times = [f"{slot // 4:02d}:{slot % 4 * 15:02d}" for slot in range(SLOTS)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("meter,timestamp,value\n")
        for meter in range(meters):
            scale = 20 + meter % 50
            for offset in range(days):
                day = (FIRST_DAY + timedelta(days=offset)).isoformat()
                out.writelines(
                    f"BM{meter:05d},{day} {times[slot]},"
                    f"{scale * shape[slot] * (0.8 + 0.4 * rng.random()):.3f}\n"
                    for slot in range(SLOTS)
                )
    return meters * days * SLOTS


def _accounts(session: Any, customer_ids: list[int]) -> list[Account]:
    """One account of 1,000 kVA with one meter per customer, on a TOU tariff."""
    tariff = tariffs.save_tariff(session, dict(TARIFF))
    accounts = []
    for i, customer_id in enumerate(customer_ids):
        account = profiles.save_account(
            session,
            {
                "number": f"BA{i:05d}",
                "customer_id": customer_id,
                "service_point": f"BA{i:05d} 工业园区",
                "category": "large_industry",
                "voltage_level": "10kV",
                "contracted_kva": "1000",
                "tariff": tariff.code,
            },
        )
        profiles.save_meter(session, {"number": f"BM{i:05d}", "account_id": account.id})
        accounts.append(account)
    session.commit()
    return accounts


def ours(session: Any, accounts: list[Account], source: Path, days: int) -> dict[str, float]:
    """Import through the readings path, then every account's daily metrics (one
    :func:`loadcurve.daily_table` for them all); the totals."""
    report = readings.import_file(session, source, interval=INTERVAL, unit="kWh", tz=TZ)
    session.commit()
    if report.rejects:
        raise RuntimeError(f"the import refused readings: {report.rejects[0]}")
    last = FIRST_DAY + timedelta(days=days - 1)
    table = loadcurve.daily_table(session, FIRST_DAY, last, TZ, [a.id for a in accounts])
    energy = float(table.energy_mwh.sum()) / 1_000_000
    peak = float(np.nansum(table.max_kw))
    day_count = len(table)
    return {"days": day_count, "energy_kwh": energy, "sum_of_daily_max_kw": peak}


def theirs(polars: Any, source: Path) -> dict[str, float]:
    """polars on the same file: parse, group by meter and local day, the same metrics."""
    readings_ = polars.read_csv(source, schema_overrides={"value": polars.Float64})
    daily = (
        readings_.with_columns(
            polars.col("timestamp").str.to_datetime("%Y-%m-%d %H:%M").dt.date().alias("day"),
            (polars.col("value") * (60 / INTERVAL)).alias("kw"),
        )
        .group_by("meter", "day")
        .agg(
            polars.col("value").sum().alias("energy_kwh"),
            polars.col("kw").max().alias("max_kw"),
            polars.col("kw").min().alias("min_kw"),
            polars.col("kw").mean().alias("avg_kw"),
        )
        .with_columns((polars.col("avg_kw") / polars.col("max_kw")).alias("load_factor"))
    )
    return {
        "days": daily.height,
        "energy_kwh": float(daily["energy_kwh"].sum()),
        "sum_of_daily_max_kw": float(daily["max_kw"].sum()),
    }


def agree(mine: dict[str, float], reference: dict[str, float]) -> list[str]:
    """The totals that differ between the two sides (empty when they agree)."""
    return [
        f"{key}: ours {mine[key]}, polars {reference[key]}"
        for key in mine
        if abs(mine[key] - reference[key]) > TOLERANCE * max(1.0, abs(reference[key]))
    ]


def storage_bytes(session: Any) -> int:
    """Bytes the readings take in the database: table and indexes."""
    if session.bind.dialect.name == "postgresql":
        return session.scalar(sa.text("SELECT pg_total_relation_size('power_reading_days')"))
    # SQLite's dbstat: the pages of the table and of its primary-key index.
    return session.scalar(
        sa.text(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'power_reading_days')"
        )
    )


def bench_meter_data(size: str, databases: Databases, workdir: Path) -> list[Figure]:
    """Readings a second through ingest and daily metrics, vs polars; bytes per reading."""
    meters, days = SIZES[size]
    source = workdir / f"readings-{size}.csv"
    count = write_readings(source, meters, days)
    url = databases.prepared("meters", ["industry_power"])
    databases.load_customers(url, workdir, meters)
    app = app_for(url, workdir, "meters")
    with app.app_context():
        session = get_host(app).session
        ids = list(session.scalars(sa.text("SELECT id FROM customers ORDER BY id")))
        accounts = _accounts(session, ids)
        with timer() as elapsed:
            mine = ours(session, accounts, source, days)
        stored = storage_bytes(session)
        get_host(app).db.dispose()
    seconds = elapsed()
    what = f"{meters:,} meters × {days} days × {SLOTS} readings ({count:,})"
    polars = baseline_library("polars")
    if polars is None:
        missing = not_installed("polars")
        return [
            Figure(
                "power.meter_data",
                f"meter data ingested + daily metrics: {what}",
                "readings/s",
                count / seconds,
                0.0,
                missing,
            ),
            Figure(
                "power.meter_data",
                "storage per reading",
                "bytes",
                stored / count,
                0.0,
                missing,
                higher_is_better=False,
            ),
        ]
    with timer() as elapsed:
        reference = theirs(polars, source)
    problems = agree(mine, reference)
    if problems:
        raise RuntimeError("the daily metrics differ from polars': " + "; ".join(problems))
    parquet = workdir / f"readings-{size}.parquet"
    polars.read_csv(source, schema_overrides={"value": polars.Float64}).write_parquet(parquet)
    return [
        Figure(
            "power.meter_data",
            f"meter data ingested + daily metrics: {what}",
            "readings/s",
            count / seconds,
            count / elapsed(),
            "polars on the same CSV (same totals)",
        ),
        Figure(
            "power.meter_data",
            "storage per reading (table and indexes)",
            "bytes",
            stored / count,
            parquet.stat().st_size / count,
            "the same readings as Parquet (polars, zstd)",
            higher_is_better=False,
        ),
    ]
