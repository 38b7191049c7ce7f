"""``crm bench sales.crosssell``: association rules on generated baskets vs mlxtend's FP-growth.

Both sides mine the same baskets with the same thresholds; the run fails when the
rule sets or their measures differ, because a faster wrong answer is no result.
mlxtend and pandas are the bench extra's, imported by name only when the benchmark
runs: an installation of the plugin never needs them.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from crm_host.sdk.bench import Figure, baseline_library, not_installed, timer
from crm_sales import crosssell
from crm_sales.crosssell import Itemset, Rule

#: Baskets per size: the issue's 20,000 at L.
BASKETS = {"S": 2_000, "M": 10_000, "L": 20_000}
PRODUCTS = 30
MIN_SUPPORT = 0.01
MIN_CONFIDENCE = 0.3
TOLERANCE = 1e-9


def generated_baskets(count: int, seed: int = 13) -> list[Itemset]:
    """``count`` non-empty baskets over :data:`PRODUCTS` products, the same for a seed.

    Popularity falls off with the product number, and a few pairs are bought
    together on purpose, so there are multi-item rules to find.
    """
    rng = random.Random(seed)
    weights = [0.45 / (1 + i * 0.35) for i in range(PRODUCTS)]
    together = {0: 3, 1: 4, 5: 9, 7: 12}
    baskets = []
    while len(baskets) < count:
        basket = {i for i, w in enumerate(weights) if rng.random() < w}
        for first, second in together.items():
            if first in basket and rng.random() < 0.6:
                basket.add(second)
        if basket:
            baskets.append(frozenset(basket))
    return baskets


def ours(baskets: list[Itemset]) -> list[Rule]:
    """The plugin's own mining: frequent itemsets level by level, then the rules."""
    return crosssell.rules_from(crosssell.frequent_itemsets(baskets, MIN_SUPPORT), MIN_CONFIDENCE)


def theirs(
    baskets: list[Itemset], pandas: Any, patterns: Any
) -> dict[tuple[Itemset, Itemset], Any]:
    """mlxtend's FP-growth and ``association_rules`` on the same baskets, one-hot encoded."""
    frame = pandas.DataFrame(
        [[i in b for i in range(PRODUCTS)] for b in baskets], columns=list(range(PRODUCTS))
    )
    itemsets = patterns.fpgrowth(frame, min_support=MIN_SUPPORT, use_colnames=True)
    rules = patterns.association_rules(itemsets, metric="confidence", min_threshold=MIN_CONFIDENCE)
    return {(frozenset(r.antecedents), frozenset(r.consequents)): r for r in rules.itertuples()}


def differences(mine: list[Rule], reference: dict[tuple[Itemset, Itemset], Any]) -> list[str]:
    """How the two rule sets differ (empty when they are the same rules with the same measures)."""
    found = {(r.antecedent, r.consequent): r for r in mine}
    problems = [f"only ours: {sorted(a)} -> {sorted(c)}" for a, c in set(found) - set(reference)]
    problems += [
        f"only mlxtend: {sorted(a)} -> {sorted(c)}" for a, c in set(reference) - set(found)
    ]
    for key in set(found) & set(reference):
        rule, row = found[key], reference[key]
        for measure in ("support", "confidence", "lift"):
            if abs(getattr(rule, measure) - getattr(row, measure)) > TOLERANCE:
                problems.append(f"{measure} of {sorted(key[0])} -> {sorted(key[1])} differs")
    return sorted(problems)


def bench_crosssell(size: str, databases: Any, workdir: Path) -> list[Figure]:
    """Rules mined per second by ``crm_sales.crosssell`` and by mlxtend, same baskets."""
    baskets = generated_baskets(BASKETS[size])
    with timer() as elapsed:
        rules = ours(baskets)
    figure = f"association rules on {len(baskets):,} baskets ({len(rules)} rules)"
    ours_rate = len(baskets) / elapsed()
    pandas = baseline_library("pandas")
    patterns = baseline_library("mlxtend.frequent_patterns")
    if pandas is None or patterns is None:
        name = not_installed("mlxtend, pandas")
        return [Figure("sales.crosssell", figure, "baskets/s", ours_rate, 0.0, name)]
    with timer() as elapsed:
        reference = theirs(baskets, pandas, patterns)
    problems = differences(rules, reference)
    if problems:
        raise RuntimeError("the rules differ from mlxtend's: " + "; ".join(problems[:5]))
    return [
        Figure(
            "sales.crosssell",
            figure,
            "baskets/s",
            ours_rate,
            len(baskets) / elapsed(),
            "mlxtend fpgrowth + association_rules (same rules)",
        )
    ]
