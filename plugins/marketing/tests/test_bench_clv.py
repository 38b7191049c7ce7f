"""``crm bench marketing.lifetime_value``: marketing's CLV fits agree with ``lifetimes`` on CDNOW.

No timing is asserted: the figures' values are the benchmark's output, not a test.
"""

from __future__ import annotations

import lifetimes
import pandas
import pytest
from crm_marketing import bench_clv

from crm_host.bench._runs import all_benchmarks


def test_the_benchmark_is_registered_once_by_the_plugin():
    registry = all_benchmarks()
    assert registry.get("marketing.lifetime_value").plugin == "marketing"
    assert registry.names().count("marketing.campaign_send") == 1


def test_cdnow_from_lifetimes_is_the_published_data_set():
    data = bench_clv.cdnow(lifetimes)
    assert len(data["frequency"]) == 2_357
    assert int((data["frequency"] > 0).sum()) == 946  # the Gamma-Gamma repeat buyers
    # Customer 1: x = 2, t_x = 30.43, T = 38.86, mean repeat spend 22.35.
    assert [data[k][0] for k in ("frequency", "recency", "T", "monetary")] == [
        2,
        30.43,
        38.86,
        22.35,
    ]


def test_both_fits_agree_and_match_the_published_estimates():
    data = bench_clv.cdnow(lifetimes)
    mine = bench_clv.ours(data)
    assert bench_clv.differences(mine, bench_clv.theirs(lifetimes, pandas, data)) == []
    # Fader, Hardie & Lee (2005), table 1; lifetimes' documented Gamma-Gamma fit.
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74}
    for key, value in published.items():
        assert mine[key] == pytest.approx(value, abs=5e-3)
    assert bench_clv.differences({**mine, "r": mine["r"] * 1.01}, mine)[0].startswith("r: ours")


def test_a_tiny_run_gives_a_well_formed_figure():
    [figure] = bench_clv.bench_lifetime_value("S", None, None)
    assert figure.unit == "s" and not figure.higher_is_better
    assert figure.ours > 0 and figure.baseline > 0 and "(same parameters)" in figure.baseline_name


def test_without_lifetimes_the_figure_says_so(monkeypatch):
    monkeypatch.setattr(bench_clv, "baseline_library", lambda name: None)
    [figure] = bench_clv.bench_lifetime_value("S", None, None)
    assert figure.ratio == 0 and figure.baseline_name.startswith(
        "baseline not installed (lifetimes"
    )
