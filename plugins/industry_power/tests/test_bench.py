"""``crm bench power.meter_data`` runs at a tiny size, and its totals agree with polars and by hand.

No timing is asserted: the figures' values are the benchmark's output, not a test.
"""

from __future__ import annotations

import csv
import os

import polars
from crm_industry_power import bench

from crm_host.bench._runs import all_benchmarks, run

SERVER = os.environ.get("CRM_TEST_DATABASE_URL")
BACKEND = "postgresql" if SERVER else "sqlite"


def test_the_benchmark_is_registered_by_the_plugin():
    assert all_benchmarks().get("power.meter_data").plugin == "industry_power"


def test_a_tiny_run_gives_well_formed_figures(monkeypatch):
    monkeypatch.setitem(bench.SIZES, "S", (2, 3))
    speed, storage = run(["power.meter_data"], "S", BACKEND, SERVER, all_benchmarks())
    assert speed.unit == "readings/s" and speed.ours > 0 and speed.baseline > 0
    assert "2 meters × 3 days × 96 readings (576)" in speed.figure
    assert "(same totals)" in speed.baseline_name
    assert storage.unit == "bytes" and not storage.higher_is_better
    # A packed day holds 96 eight-byte values: a reading takes at least 8 bytes.
    assert storage.ours >= 8 and storage.baseline > 0


def test_polars_totals_match_the_file_worked_out_by_hand(tmp_path):
    source = tmp_path / "readings.csv"
    assert bench.write_readings(source, 2, 2) == 384
    with source.open() as stream:
        rows = list(csv.DictReader(stream))
    energy = sum(float(r["value"]) for r in rows)
    daily_max: dict[tuple[str, str], float] = {}
    for r in rows:
        key = (r["meter"], r["timestamp"][:10])
        daily_max[key] = max(daily_max.get(key, 0.0), float(r["value"]) * 4)
    theirs = bench.theirs(polars, source)
    assert theirs["days"] == 4
    assert abs(theirs["energy_kwh"] - energy) < 1e-6
    assert abs(theirs["sum_of_daily_max_kw"] - sum(daily_max.values())) < 1e-6
    assert bench.agree(theirs, theirs) == []
    changed = {**theirs, "energy_kwh": theirs["energy_kwh"] + 0.5}
    assert bench.agree(changed, theirs)[0].startswith("energy_kwh: ours")


def test_without_polars_the_baseline_is_reported_as_not_installed(monkeypatch):
    monkeypatch.setitem(bench.SIZES, "S", (1, 1))
    monkeypatch.setattr(bench, "baseline_library", lambda name: None)
    speed, storage = run(["power.meter_data"], "S", BACKEND, SERVER, all_benchmarks())
    assert speed.baseline == storage.baseline == 0 and speed.ours > 0
    assert speed.baseline_name.startswith("baseline not installed (polars")
