"""``crm bench sales.crosssell`` runs at a tiny size, agrees with mlxtend, and says when it cannot.

No timing is asserted: the figures' values are the benchmark's output, not a test.
"""

from __future__ import annotations

from crm_sales import bench
from crm_sales.crosssell import Rule

from crm_host.bench._runs import all_benchmarks, run


def test_the_benchmark_is_registered_by_the_plugin():
    benchmark = all_benchmarks().get("sales.crosssell")
    assert benchmark is not None and benchmark.plugin == "sales"


def test_a_tiny_run_gives_a_well_formed_figure_with_the_same_rules_as_mlxtend(monkeypatch):
    monkeypatch.setitem(bench.BASKETS, "S", 300)
    [figure] = run(["sales.crosssell"], "S", "sqlite", None, all_benchmarks())
    assert figure.benchmark == "sales.crosssell" and figure.unit == "baskets/s"
    assert figure.figure.startswith("association rules on 300 baskets")
    assert figure.ours > 0 and figure.baseline > 0 and figure.ratio > 0
    assert "same rules" in figure.baseline_name


def test_the_generated_baskets_agree_with_mlxtend_and_a_changed_rule_is_caught():
    import pandas
    from mlxtend import frequent_patterns

    baskets = bench.generated_baskets(300)
    assert baskets == bench.generated_baskets(300)  # deterministic
    rules = bench.ours(baskets)
    reference = bench.theirs(baskets, pandas, frequent_patterns)
    assert len(rules) > 20 and bench.differences(rules, reference) == []
    first = rules[0]
    bent = Rule(
        first.antecedent, first.consequent, first.support, first.confidence + 0.01, first.lift
    )
    assert bench.differences([bent, *rules[1:]], reference) == [
        f"confidence of {sorted(first.antecedent)} -> {sorted(first.consequent)} differs"
    ]
    assert bench.differences(rules[1:], reference)[0].startswith("only mlxtend:")


def test_without_mlxtend_the_baseline_is_reported_as_not_installed(monkeypatch):
    monkeypatch.setitem(bench.BASKETS, "S", 100)
    monkeypatch.setattr(bench, "baseline_library", lambda name: None)
    [figure] = bench.bench_crosssell("S", None, None)
    assert figure.baseline == 0 and figure.ratio == 0 and figure.ours > 0
    assert figure.baseline_name.startswith("baseline not installed (mlxtend, pandas")
