"""A/B variants: which recipient gets which message, and which message did better.

A recipient's variant is a pure function of the campaign and customer ids (a SHA-256
bucket in 0–99 laid over the variants' weights), so a resumed or re-run batch, or
another worker, draws the same variant for the same customer. Python's ``hash()`` is
salted per process and would not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, validation
from crm_host.sdk.customers import transactions
from crm_marketing import templates_engine
from crm_marketing.attribution import attribution_end
from crm_marketing.models import Campaign, Send, SendResponse, Variant

NAMES = ("A", "B", "C", "D", "E")
#: Responses a variant can be compared by; ``converted`` comes from transactions.
METRICS = ("opened", "clicked", "converted")
#: Below this p-value a difference is called significant.
SIGNIFICANCE = 0.05


def bucket(campaign_id: int, customer_id: int) -> int:
    """The recipient's stable bucket, 0–99."""
    digest = hashlib.sha256(f"{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_test(campaign_id: int, customer_id: int, share: int) -> bool:
    """Whether the customer is in the test share (percent) of a test-then-winner
    campaign. A hash of its own: with the variant's bucket, the test group would be
    the low buckets, nearly all variant A."""
    digest = hashlib.sha256(f"test:{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < share


def choose(campaign_id: int, customer_id: int, variants: Sequence[Variant]) -> Variant | None:
    """The variant the customer gets: buckets 0–99 split by weight in name order."""
    if not variants:
        return None
    point = bucket(campaign_id, customer_id)
    edge = 0
    ordered = sorted(variants, key=lambda v: v.name)
    for variant in ordered:
        edge += variant.weight
        if point < edge:
            return variant
    return ordered[-1]


def of_campaign(session: Session, campaign_id: int) -> list[Variant]:
    """The campaign's variants in name order (empty without an A/B test)."""
    return list(
        session.scalars(
            sa.select(Variant).where(Variant.campaign_id == campaign_id).order_by(Variant.name)
        )
    )


def check(data: Any, subject: bool) -> list[dict[str, Any]]:
    """The variants of a campaign's input, cleaned: 2–5, names A–E in order unless
    given, each with a body (and a subject when the channel's messages have one),
    weights adding up to 100.

    Raises :class:`ValidationFailed` naming ``variants`` (or ``variants.<i>.<field>``).
    """
    if data is None or data == []:
        return []
    if not isinstance(data, list) or not 2 <= len(data) <= len(NAMES):
        raise ValidationFailed(
            "the variants are not valid",
            details={"variants": [f"Between 2 and {len(NAMES)} variants, or none."]},
        )
    needs_subject = subject
    errors: dict[str, list[str]] = {}
    cleaned = []
    for i, item in enumerate(data):
        item = item if isinstance(item, dict) else {}
        name = item.get("name") or NAMES[i]
        subject = item.get("subject") or ""
        body = item.get("body")
        weight = item.get("weight")
        validation.choice(name, f"variants.{i}.name", errors, NAMES)
        validation.text(
            body, f"variants.{i}.body", errors, max_length=50_000, required=True, multiline=True
        )
        if needs_subject and not str(subject).strip():
            errors[f"variants.{i}.subject"] = ["An email needs a subject."]
        validation.text(subject, f"variants.{i}.subject", errors, max_length=300)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 99:
            errors[f"variants.{i}.weight"] = ["A whole percentage from 1 to 99."]
        cleaned.append({"name": name, "subject": subject, "body": body, "weight": weight})
    names = [v["name"] for v in cleaned]
    if len(set(names)) != len(names):
        errors["variants"] = ["Each variant needs its own name."]
    elif not errors and sum(v["weight"] for v in cleaned) != 100:
        errors["variants"] = ["The weights must add up to 100."]
    if errors:
        raise ValidationFailed("the variants are not valid", details=errors)
    for i, variant in enumerate(cleaned):
        templates_engine.check(variant["subject"], f"variants.{i}.subject")
        templates_engine.check(variant["body"], f"variants.{i}.body")
    return cleaned


def replace(session: Session, campaign: Campaign, cleaned: list[dict[str, Any]]) -> None:
    """Set a draft campaign's variants to ``cleaned`` (from :func:`check`)."""
    session.execute(sa.delete(Variant).where(Variant.campaign_id == campaign.id))
    for item in cleaned:
        session.add(Variant(campaign_id=campaign.id, **item))
    session.flush()


def snapshot(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """The variants as plain values (for the audit log and the API)."""
    return [
        {"name": v.name, "subject": v.subject, "body": v.body, "weight": v.weight}
        for v in of_campaign(session, campaign_id)
    ]


def significance(counts: Sequence[tuple[int, int]]) -> float | None:
    """p-value of a chi-square test that ``(responded, sent)`` rates differ.

    Without Yates' correction, so for two variants it equals the two-sided
    two-proportion z-test. ``None`` when it cannot be computed: fewer than two
    variants with sends, or nobody (or everybody) responded.
    """
    table = [[hit, sent - hit] for hit, sent in counts if sent > 0]
    if len(table) < 2:
        return None
    if sum(row[0] for row in table) == 0 or sum(row[1] for row in table) == 0:
        return None
    # Imported here: scipy.stats takes seconds to load, and every worker that starts
    # the app would pay for it, though only a campaign's results page needs it.
    from scipy import stats

    return float(stats.chi2_contingency(table, correction=False).pvalue)


def _counts(session: Session, campaign: Campaign, rows: dict[int, dict[str, Any]]) -> None:
    """Fill in each variant's sends and its delivered, opened and clicked counts."""
    real = sa.and_(Send.campaign_id == campaign.id, Send.duplicate.is_(False))
    for variant_id, n in session.execute(
        sa.select(Send.variant_id, sa.func.count()).where(real).group_by(Send.variant_id)
    ):
        if variant_id in rows:
            rows[variant_id]["sent"] = n
    for variant_id, kind, n in session.execute(
        sa.select(Send.variant_id, SendResponse.kind, sa.func.count())
        .join(SendResponse, SendResponse.send_id == Send.id)
        .where(real, SendResponse.kind.in_(("delivered", "opened", "clicked")))
        .group_by(Send.variant_id, SendResponse.kind)
    ):
        if variant_id in rows:
            rows[variant_id][kind] = n


def _purchases(
    session: Session, campaign: Campaign, rows: dict[int, dict[str, Any]], until: Any
) -> None:
    """Fill in each variant's converted customers and their spend after the send."""
    tx = transactions(session)
    bought = sa.and_(
        Send.campaign_id == campaign.id,
        Send.duplicate.is_(False),
        tx.c.occurred_at >= Send.sent_at,
        tx.c.occurred_at < (until or attribution_end(campaign)),
    )
    for variant_id, n in session.execute(
        sa.select(Send.variant_id, sa.func.count(sa.distinct(Send.customer_id)))
        .join(tx, tx.c.customer_id == Send.customer_id)
        .where(bought)
        .group_by(Send.variant_id)
    ):
        if variant_id in rows:
            rows[variant_id]["converted"] = n
    for variant_id, currency, total in session.execute(
        sa.select(Send.variant_id, tx.c.currency, sa.func.sum(tx.c.amount))
        .join(tx, tx.c.customer_id == Send.customer_id)
        .where(bought)
        .group_by(Send.variant_id, tx.c.currency)
        .order_by(tx.c.currency)
    ):
        if variant_id in rows:
            rows[variant_id]["revenue"][currency] = Decimal(total)


def _verdict(out: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    """The leader by ``metric`` (a strict lead over the second) and its p-value."""
    p_value = significance([(row[metric], row["sent"]) for row in out])
    ranked = sorted(
        (row for row in out if row["sent"]), key=lambda r: r[f"{metric}_rate"], reverse=True
    )
    leader = None
    if len(ranked) >= 2 and ranked[0][f"{metric}_rate"] > ranked[1][f"{metric}_rate"]:
        leader = ranked[0]["name"]
    return {
        "leader": leader,
        "p_value": p_value,
        "significant": p_value is not None and leader is not None and p_value < SIGNIFICANCE,
    }


def results(
    session: Session,
    campaign: Campaign,
    *,
    metric: str = "converted",
    until: Any = None,
) -> dict[str, Any]:
    """Per variant: sends, response counts and rates, converted customers and their
    spend after the send; the leader by ``metric`` and whether its lead is significant.

    ``until`` bounds the attribution window (see :func:`campaigns.attributed_revenue`).
    """
    if metric not in METRICS:
        raise ValidationFailed(
            "unknown metric", details={"metric": ["Must be one of: " + ", ".join(METRICS) + "."]}
        )
    rows: dict[int, dict[str, Any]] = {
        v.id: {
            "name": v.name,
            "weight": v.weight,
            "sent": 0,
            "delivered": 0,
            "opened": 0,
            "clicked": 0,
            "converted": 0,
            "revenue": {},
        }
        for v in of_campaign(session, campaign.id)
    }
    if not rows:
        return {
            "metric": metric,
            "variants": [],
            "leader": None,
            "p_value": None,
            "significant": False,
        }
    _counts(session, campaign, rows)
    if campaign.launched_at is not None:
        _purchases(session, campaign, rows, until)
    out = list(rows.values())
    for row in out:
        for kind in METRICS:
            row[f"{kind}_rate"] = row[kind] / row["sent"] if row["sent"] else None
    return {"metric": metric, "variants": out, **_verdict(out, metric)}
