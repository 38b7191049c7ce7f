"""Cross-sell: association rules mined from order lines, and recommendations per customer.

Each order is a basket of the products on its lines. Frequent itemsets are found
level by level, counted with bitwise AND over one bit per basket (numpy), then every
split of a frequent itemset into antecedent → consequent is a rule with its support,
confidence and lift — the measures mlxtend's ``association_rules`` reports, so the
two can be checked against each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, combinations
from typing import Any

import numpy as np
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


#: Bytes of AND-ed basket bits held at once while counting one level's extensions.
CHUNK_BYTES = 1 << 25


def frequent_itemsets(baskets: Sequence[Itemset], min_support: float) -> dict[Itemset, float]:
    """Every itemset in at least ``min_support`` of the baskets, with its support.

    Each frequent item is a row of bits, one per basket; the baskets holding an itemset
    are the AND of its items' rows, and its count is the number of bits set. Items are
    product ids (integers); ``min_support`` must be above 0.
    """
    if not min_support > 0:
        raise ValueError(f"min_support must be above 0, not {min_support}")
    total = len(baskets)
    if total == 0:
        return {}
    sizes = np.fromiter(map(len, baskets), dtype=np.intp, count=total)
    flat = np.fromiter(chain.from_iterable(baskets), dtype=np.int64, count=int(sizes.sum()))
    items, counts = np.unique(flat, return_counts=True)
    # The same float comparison as count / total >= min_support in Python (and mlxtend).
    keep = counts / total >= min_support
    items, counts = items[keep], counts[keep]
    names = items.tolist()
    frequent = {
        frozenset((item,)): n / total for item, n in zip(names, counts.tolist(), strict=True)
    }
    width = len(names)
    if width < 2:
        return frequent
    # Rows of bits: a basket's line is set in the row of each of its frequent items (an
    # itemset with an infrequent item can never be frequent). Padded to whole 64-bit words.
    row = np.searchsorted(items, flat)
    present = row < width
    present[present] = items[row[present]] == flat[present]
    held = np.zeros((width, -(-total // 64) * 64), dtype=bool)
    held[row[present], np.repeat(np.arange(total), sizes)[present]] = True
    bits = np.packbits(held, axis=1).view(np.uint64)
    # Level by level, each itemset (item rows in increasing order) grows only by rows after
    # its last one, so every candidate is met once. Its count is exact, so no subset check
    # is needed: a superset of an infrequent itemset cannot reach the threshold anyway.
    members = np.arange(width)[:, None]
    covers = bits
    while len(members):
        grown, grown_covers, grown_counts = [], [], []
        for last in range(width - 1):
            which = np.flatnonzero(members[:, -1] == last)
            later = bits[last + 1 :]
            step = max(1, CHUNK_BYTES // later.nbytes)
            for start in range(0, len(which), step):
                part = which[start : start + step]
                joined = covers[part, None, :] & later[None, :, :]
                n = np.bitwise_count(joined).sum(axis=2, dtype=np.int64)
                found, extra = np.nonzero(n / total >= min_support)
                grown.append(np.column_stack((members[part[found]], extra + last + 1)))
                grown_covers.append(joined[found, extra])
                grown_counts.append(n[found, extra])
        if not grown:  # every itemset ends at the last row: nothing left to add
            break
        members = np.concatenate(grown)
        covers = np.concatenate(grown_covers)
        for itemset, n in zip(members.tolist(), np.concatenate(grown_counts).tolist(), strict=True):
            frequent[frozenset(names[i] for i in itemset)] = n / total
    return frequent


def rules_from(itemsets: dict[Itemset, float], min_confidence: float) -> list[Rule]:
    """Every rule of the frequent itemsets with at least ``min_confidence``, strongest first."""
    # Each rule is kept with its sort key: splitting the itemset's sorted items gives the
    # antecedent and consequent already in order, so no set is sorted again to rank them.
    ranked: list[tuple[tuple[float, float, tuple[int, ...], tuple[int, ...]], Rule]] = []
    for itemset, support in itemsets.items():
        if len(itemset) < 2:
            continue
        ordered = sorted(itemset)
        for k in range(1, len(ordered)):
            for left in combinations(ordered, k):
                antecedent = frozenset(left)
                confidence = support / itemsets[antecedent]
                if confidence >= min_confidence:
                    consequent = itemset - antecedent
                    lift = confidence / itemsets[consequent]
                    right = tuple(i for i in ordered if i not in antecedent)
                    rule = Rule(antecedent, consequent, support, confidence, lift)
                    ranked.append(((-confidence, -lift, left, right), rule))
    ranked.sort(key=lambda pair: pair[0])
    return [rule for _, rule in ranked]


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
