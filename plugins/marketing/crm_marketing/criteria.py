"""Marketing's own segment criteria: demographic, geographic, value and behaviour.

The :class:`~crm_host.sdk.customers.Criterion` contract is the host's; plugins offer
theirs through the host's ``crm_segment_criteria`` hook, and marketing offers these
the same way (see :mod:`crm_marketing.registry` for the collecting).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, Interaction, LifecycleStage, Tag, customer_tags, utcnow
from crm_host.sdk.customers import (
    Build,
    Criterion,
    CriterionError,
    Grouped,
    compare,
    text_field,
    text_values,
    transactions,
    whole_days,
    window_value,
)
from crm_marketing.i18n import _l
from crm_marketing.models import CustomerValue, RfmScore

#: Age bands by label: inclusive (youngest, oldest) age in whole years.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-17": (0, 17),
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, 200),
}


def age_band(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers whose age today falls in one of the named bands (from ``birth_date``)."""
    bands = text_values(value)
    unknown = [b for b in bands if b not in AGE_BANDS]
    if unknown:
        raise CriterionError("Unknown age band: " + ", ".join(unknown) + ".")
    today = date.today()
    conditions = []
    for band in bands:
        youngest, oldest = AGE_BANDS[band]
        # Aged ≥ youngest: born on or before today minus youngest years; aged ≤ oldest:
        # born after today minus (oldest + 1) years. Dates in Python keep it portable.
        latest = _years_before(today, youngest)
        earliest = _years_before(today, oldest + 1)
        conditions.append(sa.and_(Customer.birth_date <= latest, Customer.birth_date > earliest))
    return sa.or_(*conditions)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def tags(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers carrying any / all / none of the named tags."""
    names = text_values(value)

    def has(names_: list[str]) -> sa.Exists:
        return (
            sa.select(customer_tags.c.customer_id)
            .join(Tag, Tag.id == customer_tags.c.tag_id)
            .where(customer_tags.c.customer_id == Customer.id, Tag.name.in_(names_))
            .exists()
        )

    if op == "any":
        return has(names)
    if op == "none":
        return ~has(names)
    return sa.and_(*(has([n]) for n in dict.fromkeys(names)))


def rfm_score(column: sa.ColumnElement[Any]) -> Build:
    """A criterion on a stored RFM column: a score, the pyramid tier or the loyalty–value
    quadrant (customers without scores never match)."""

    def build(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        condition = compare(column, op, value)
        return Customer.id.in_(sa.select(RfmScore.customer_id).where(condition))

    return build


def stored_value(column: sa.ColumnElement[Any]) -> Build:
    """A criterion on a column of the stored lifetime value (customers without one never match)."""

    def build(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        condition = compare(column, op, value)
        return Customer.id.in_(sa.select(CustomerValue.customer_id).where(condition))

    return build


#: Total spend over every plugin's transactions (the host's union), live, not stored.
SPEND = Grouped("transactions", transactions, lambda tx: sa.func.sum(tx.c.amount))
#: Number of transactions over every plugin's transactions.
PURCHASES = Grouped("transactions", transactions, lambda tx: sa.func.count())


def last_purchase(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers with (``within``) or without (``not_within``) a purchase in the last N
    days: transactions only, so a service ticket or an e-mail does not count."""
    since = utcnow() - timedelta(days=whole_days(value))
    tx = transactions(session)
    recent = Customer.id.in_(
        sa.select(tx.c.customer_id).where(tx.c.customer_id.is_not(None), tx.c.occurred_at >= since)
    )
    return recent if op == "within" else ~recent


def last_purchase_date(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers whose latest purchase fell on, before or after a calendar day (UTC);
    customers who never bought never match."""
    tx = transactions(session)
    latest = sa.select(tx.c.customer_id).where(tx.c.customer_id.is_not(None))
    latest = latest.group_by(tx.c.customer_id).having(
        compare(sa.func.max(tx.c.occurred_at), op, value, kind="date")
    )
    return Customer.id.in_(latest)


def windowed(measure: Any) -> Build:
    """A ``window`` criterion: ``measure(transactions)`` over each customer's purchases
    of the last N days, compared with the value.

    A customer with no purchase in the window has a count and a spend of 0, and
    matches exactly when 0 passes the test ("fewer than 2 purchases in 30 days"
    includes those who bought nothing).
    """

    def build(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        days, inner = window_value(value)
        since = utcnow() - timedelta(days=days)
        tx = transactions(session)
        in_window = sa.select(tx.c.customer_id).where(
            tx.c.customer_id.is_not(None), tx.c.occurred_at >= since
        )
        test = compare(measure(tx), op, inner)
        passing = Customer.id.in_(in_window.group_by(tx.c.customer_id).having(test))
        if not _zero_passes(op, inner):
            return passing
        return sa.or_(passing, Customer.id.not_in(in_window))

    return build


def _zero_passes(op: str, value: Any) -> bool:
    """Whether a measure of 0 passes ``op`` against the (already checked) ``value``."""
    if op == "between":
        return float(value[0]) <= 0 <= float(value[1])
    number = float(value)
    return {"eq": number == 0, "gt": number < 0, "gte": number <= 0, "lt": number > 0}.get(
        op, number >= 0
    )


def last_interaction(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers with (``within``) or without (``not_within``) a touchpoint in the last N days."""
    since = utcnow() - timedelta(days=whole_days(value))
    recent = (
        sa.select(Interaction.id)
        .where(Interaction.customer_id == Customer.id, Interaction.occurred_at >= since)
        .exists()
    )
    return recent if op == "within" else ~recent


def builtin_criteria() -> list[Criterion]:
    """Marketing's own criteria: demographic, geographic, lifecycle, value and behaviour."""
    return [
        Criterion("gender", _l("Gender"), "text", text_field(Customer.gender), ("female", "male")),
        Criterion("age_band", _l("Age band"), "band", age_band, tuple(AGE_BANDS)),
        Criterion(
            "birth_date",
            _l("Birth date"),
            "date",
            lambda session, op, value: compare(Customer.birth_date, op, value, kind="date"),
        ),
        Criterion("occupation", _l("Occupation"), "text", text_field(Customer.occupation)),
        Criterion("education", _l("Education"), "text", text_field(Customer.education)),
        Criterion("region", _l("Region"), "text", text_field(Customer.region)),
        Criterion("city", _l("City"), "text", text_field(Customer.city)),
        Criterion(
            "lifecycle_stage",
            _l("Lifecycle stage"),
            "text",
            text_field(Customer.lifecycle_stage),
            tuple(s.value for s in LifecycleStage),
        ),
        Criterion("tier", _l("Tier"), "text", text_field(Customer.tier)),
        Criterion(
            "kind", _l("Kind"), "text", text_field(Customer.kind), ("person", "organization")
        ),
        Criterion("tags", _l("Tags"), "tags", tags),
        Criterion("rfm_recency", _l("RFM recency score"), "number", rfm_score(RfmScore.r_score)),
        Criterion(
            "rfm_frequency", _l("RFM frequency score"), "number", rfm_score(RfmScore.f_score)
        ),
        Criterion("rfm_monetary", _l("RFM monetary score"), "number", rfm_score(RfmScore.m_score)),
        Criterion(
            "p_alive", _l("Chance still active"), "number", stored_value(CustomerValue.p_alive)
        ),
        Criterion(
            "lifetime_value",
            _l("Expected value"),
            "number",
            stored_value(CustomerValue.expected_value),
        ),
        Criterion(
            "churn_risk",
            _l("Churn risk"),
            "text",
            stored_value(CustomerValue.churn_risk),
            ("low", "medium", "high"),
        ),
        Criterion(
            "pyramid",
            _l("Customer pyramid tier"),
            "text",
            rfm_score(RfmScore.pyramid),
            ("top", "big", "medium", "small"),
        ),
        Criterion(
            "loyalty_value",
            _l("Loyalty and value"),
            "text",
            rfm_score(RfmScore.loyalty_value),
            ("true_friend", "barnacle", "butterfly", "stranger"),
        ),
        Criterion("monetary", _l("Total spend"), "number", SPEND.build, grouped=SPEND),
        Criterion(
            "purchases", _l("Number of purchases"), "number", PURCHASES.build, grouped=PURCHASES
        ),
        Criterion("last_interaction", _l("Last interaction"), "days", last_interaction),
        *purchase_criteria(),
    ]


def purchase_criteria() -> list[Criterion]:
    """Recency, frequency and spend of the transaction union over a window of days."""
    return [
        Criterion("last_purchase", _l("Last purchase"), "days", last_purchase),
        Criterion(
            "last_purchase_date", _l("Date of the last purchase"), "date", last_purchase_date
        ),
        Criterion(
            "recent_purchases",
            _l("Purchases in the last N days"),
            "window",
            windowed(lambda tx: sa.func.count()),
        ),
        Criterion(
            "recent_spend",
            _l("Spend in the last N days"),
            "window",
            windowed(lambda tx: sa.func.sum(tx.c.amount)),
        ),
    ]
