"""Cross-sell: association rules mined from order lines, and recommendations per customer.

Each order is a basket of the products on its lines. Frequent itemsets are found
level by level (an itemset can only be frequent if all its subsets are), then every
split of a frequent itemset into antecedent → consequent is a rule with its support,
confidence and lift — the measures mlxtend's ``association_rules`` reports, so the
two can be checked against each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_sales.models import Order, OrderLine, Product

Itemset = frozenset[int]


@dataclass(frozen=True)
class Rule:
    """``antecedent`` → ``consequent`` with its support, confidence and lift."""

    antecedent: Itemset
    consequent: Itemset
    support: float
    confidence: float
    lift: float


def frequent_itemsets(baskets: Sequence[Itemset], min_support: float) -> dict[Itemset, float]:
    """Every itemset in at least ``min_support`` of the baskets, with its support."""
    total = len(baskets)
    if total == 0:
        return {}
    counts: dict[Itemset, int] = {}
    for basket in baskets:
        for item in basket:
            key = frozenset((item,))
            counts[key] = counts.get(key, 0) + 1
    frequent = {s: n / total for s, n in counts.items() if n / total >= min_support}
    level = sorted(frequent, key=sorted)
    size = 1
    while level:
        size += 1
        # Join itemsets sharing all but one item; keep candidates whose subsets all qualify.
        candidates = set()
        for a, b in combinations(level, 2):
            union = a | b
            if len(union) == size and all(
                frozenset(sub) in frequent for sub in combinations(union, size - 1)
            ):
                candidates.add(union)
        if not candidates:
            break
        counts = dict.fromkeys(candidates, 0)
        for basket in baskets:
            if len(basket) < size:
                continue
            for candidate in candidates:
                if candidate <= basket:
                    counts[candidate] += 1
        level = []
        for candidate, n in counts.items():
            if n / total >= min_support:
                frequent[candidate] = n / total
                level.append(candidate)
    return frequent


def rules_from(itemsets: dict[Itemset, float], min_confidence: float) -> list[Rule]:
    """Every rule of the frequent itemsets with at least ``min_confidence``, strongest first."""
    rules = []
    for itemset, support in itemsets.items():
        if len(itemset) < 2:
            continue
        for k in range(1, len(itemset)):
            for antecedent in map(frozenset, combinations(itemset, k)):
                consequent = itemset - antecedent
                confidence = support / itemsets[antecedent]
                if confidence >= min_confidence:
                    lift = confidence / itemsets[consequent]
                    rules.append(Rule(antecedent, consequent, support, confidence, lift))
    return sorted(
        rules, key=lambda r: (-r.confidence, -r.lift, sorted(r.antecedent), sorted(r.consequent))
    )


def baskets(session: Session) -> list[Itemset]:
    """The product ids of every order that has products on its lines."""
    grouped: dict[int, set[int]] = {}
    for order_id, product_id in session.execute(
        sa.select(OrderLine.order_id, OrderLine.product_id).where(OrderLine.product_id.is_not(None))
    ):
        grouped.setdefault(order_id, set()).add(product_id)
    return [frozenset(items) for items in grouped.values()]


def mine(session: Session, min_support: float = 0.01, min_confidence: float = 0.3) -> list[Rule]:
    """The association rules of every order's products."""
    return rules_from(frequent_itemsets(baskets(session), min_support), min_confidence)


def recommend(
    session: Session, customer_id: int, rules: Iterable[Rule], limit: int = 5
) -> list[tuple[int, Rule]]:
    """Products the customer has not bought that rules on what they bought point to:
    (product id, the strongest rule for it), strongest first."""
    bought = set(
        session.scalars(
            sa.select(OrderLine.product_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id, OrderLine.product_id.is_not(None))
        )
    )
    best: dict[int, Rule] = {}
    for rule in rules:
        if not rule.antecedent <= bought:
            continue
        for product in rule.consequent - bought:
            current = best.get(product)
            if current is None or (rule.confidence, rule.lift) > (current.confidence, current.lift):
                best[product] = rule
    ranked = sorted(best.items(), key=lambda kv: (-kv[1].confidence, -kv[1].lift, kv[0]))
    return ranked[:limit]


def recommendations_for(session: Session, customer_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The customer's recommendations as JSON-ready rows (the API and the 360° panel)."""
    products = {p.id: p for p in session.scalars(sa.select(Product))}
    return [
        {
            "product_id": product_id,
            "code": products[product_id].code,
            "name": products[product_id].name,
            "confidence": rule.confidence,
            "lift": rule.lift,
            "because": sorted(products[i].code for i in rule.antecedent),
        }
        for product_id, rule in recommend(session, customer_id, mine(session), limit)
    ]
