"""Cross-sell rules from order lines: checked by hand and against mlxtend's FP-growth."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import crm_sales
import pandas as pd
import pytest
from crm_sales import crosssell, orders
from mlxtend import frequent_patterns

BASKETS = [("A", "B"), ("A", "B", "C"), ("A", "C"), ("B", "C"), ("A", "B", "C"), ("D",)]


@pytest.fixture
def shop(db, make_customer):
    """Six orders over products A–D; the last customer bought A and C (the third basket)."""
    products = {
        code: orders.create_product(db, {"code": code, "name": f"产品{code}", "unit_price": "10"})
        for code in "ABCD"
    }
    customers = [make_customer() for _ in BASKETS]
    for customer, basket in zip(customers, BASKETS, strict=True):
        orders.create_order(
            db,
            {"customer_id": customer.id, "lines": [{"product_id": products[c].id} for c in basket]},
        )
    db.commit()
    return products, customers


def named(rules, products):
    code = {p.id: c for c, p in products.items()}
    return {
        (
            "".join(sorted(code[i] for i in r.antecedent)),
            "".join(sorted(code[i] for i in r.consequent)),
        ): (round(r.support, 4), round(r.confidence, 4), round(r.lift, 4))
        for r in rules
    }


def test_rules_worked_out_by_hand(db, shop):
    products, _ = shop
    # Supports: A, B, C 4/6; AB, AC, BC 3/6; ABC 2/6; D 1/6 (below 0.3).
    # A→B: (3/6)/(4/6) = 0.75, lift 0.75/(4/6) = 1.125; AB→C: (2/6)/(3/6) = 0.6667, lift 1.
    assert named(crosssell.mine(db, min_support=0.3, min_confidence=0.7), products) == {
        pair: (0.5, 0.75, 1.125)
        for pair in [("A", "B"), ("B", "A"), ("A", "C"), ("C", "A"), ("B", "C"), ("C", "B")]
    }
    looser = named(crosssell.mine(db, min_support=0.3, min_confidence=0.6), products)
    assert looser[("AB", "C")] == looser[("AC", "B")] == (0.3333, 0.6667, 1.0)
    assert len(looser) == 9  # A→BC and friends have confidence 0.5
    # Strongest first; equal confidence and lift go by antecedent, then consequent.
    ranked = crosssell.mine(db, min_support=0.3, min_confidence=0.6)
    assert list(named(ranked, products)) == [
        ("A", "B"), ("A", "C"), ("B", "A"), ("B", "C"), ("C", "A"), ("C", "B"),
        ("AB", "C"), ("AC", "B"), ("BC", "A"),
    ]  # fmt: skip


def test_recommendations_for_a_customer(db, shop, api):
    products, customers = shop
    who = customers[2]  # bought A and C
    # A→B and C→B (0.75) beat AC→B (0.6667); D is in no rule.
    body = api.get(f"/api/v1/sales/customers/{who.id}/recommendations").json
    assert [(r["code"], round(r["confidence"], 4), r["because"]) for r in body] == [
        ("B", 0.75, ["A"])
    ]
    assert api.get("/api/v1/sales/customers/999999/recommendations").status_code == 404
    rules = api.get("/api/v1/sales/rules?min_support=0.3&min_confidence=0.7").json
    assert len(rules) == 6 and rules[0]["lift"] == pytest.approx(1.125)


def test_rules_command(cli, db, shop):
    out = cli("sales", "rules", "--min-support", "0.3", "--min-confidence", "0.7").output
    assert "A => B\t0.5000\t0.7500\t1.1250" in out.splitlines()


def generated_baskets(n=400, seed=7):
    rng = random.Random(seed)
    weights = [0.5, 0.4, 0.35, 0.3, 0.2, 0.15, 0.1, 0.08, 0.05, 0.03]
    baskets = []
    for _ in range(n):
        basket = {i for i, w in enumerate(weights) if rng.random() < w}
        # Buyers of 0 and 1 often take 2 as well: a rule worth finding.
        if {0, 1} <= basket and rng.random() < 0.7:
            basket.add(2)
        if basket:
            baskets.append(frozenset(basket))
    return baskets


@pytest.mark.parametrize("min_support", [0.02, 0.004])
def test_rules_equal_mlxtends_fpgrowth_on_a_generated_basket_set(min_support):
    baskets = generated_baskets()
    frame = pd.DataFrame([[i in b for i in range(10)] for b in baskets], columns=list(range(10)))
    theirs_sets = frequent_patterns.fpgrowth(frame, min_support=min_support, use_colnames=True)
    theirs = frequent_patterns.association_rules(
        theirs_sets, metric="confidence", min_threshold=0.3
    )
    ours = crosssell.rules_from(crosssell.frequent_itemsets(baskets, min_support), 0.3)
    expected = {
        (frozenset(row.antecedents), frozenset(row.consequents)): row for row in theirs.itertuples()
    }
    assert {(r.antecedent, r.consequent) for r in ours} == set(expected)
    assert len(ours) > 50
    for rule in ours:
        row = expected[(rule.antecedent, rule.consequent)]
        assert abs(rule.support - row.support) < 1e-9
        assert abs(rule.confidence - row.confidence) < 1e-9
        assert abs(rule.lift - row.lift) < 1e-9


def test_itemset_supports_worked_out_by_hand_across_several_words_of_bits():
    big = 10**12  # product ids are any integers, not column numbers
    # 130 baskets span three 64-bit words: 70 x {big, 2}, 30 x {2, 3}, 20 x {big, 2, 3},
    # 9 x {4} and one empty basket, which still counts in the total.
    baskets = [frozenset({big, 2})] * 70 + [frozenset({2, 3})] * 30
    baskets += [frozenset({big, 2, 3})] * 20 + [frozenset({4})] * 9 + [frozenset()]
    found = crosssell.frequent_itemsets(baskets, 0.1)
    expected = {
        (big,): 90 / 130,
        (2,): 120 / 130,
        (3,): 50 / 130,
        (big, 2): 90 / 130,
        (2, 3): 50 / 130,
        (big, 3): 20 / 130,
        (big, 2, 3): 20 / 130,
    }  # {4} is in 9/130 < 0.1 of the baskets
    assert found == {frozenset(k): v for k, v in expected.items()}
    # At 0.2 the pair {big, 3} (20/130 = 0.154) and so its triple drop out.
    assert set(crosssell.frequent_itemsets(baskets, 0.2)) == {
        frozenset(k) for k in [(big,), (2,), (3,), (big, 2), (2, 3)]
    }


def test_counting_in_small_chunks_finds_the_same_itemsets(monkeypatch):
    baskets = generated_baskets(n=300)
    whole = crosssell.frequent_itemsets(baskets, 0.01)
    monkeypatch.setattr(crosssell, "CHUNK_BYTES", 8)  # one itemset at a time
    assert crosssell.frequent_itemsets(baskets, 0.01) == whole
    assert max(map(len, whole)) >= 4


def test_no_baskets_no_itemsets_and_a_support_of_zero_is_refused():
    assert crosssell.frequent_itemsets([], 0.1) == {}
    assert crosssell.frequent_itemsets([frozenset(), frozenset()], 0.1) == {}
    assert crosssell.frequent_itemsets([frozenset({1})], 0.5) == {frozenset({1}): 1.0}
    with pytest.raises(ValueError, match="min_support must be above 0"):
        crosssell.frequent_itemsets([frozenset({1, 2})], 0)


def test_the_plugin_never_imports_mlxtend_or_pandas():
    # Both are test extras only: an installation of crm_sales must not need them.
    imported = set()
    for source in Path(crm_sales.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    assert "crm_host" in imported  # the walk did read the sources
    assert not imported & {"mlxtend", "pandas"}
