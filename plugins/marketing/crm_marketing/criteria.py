"""Segment criteria: what a rule may test, and how each test becomes a SQL condition.

A :class:`Criterion` names a field, the operators it accepts and a function that
turns ``(operator, value)`` into a condition on the ``customers`` table —
correlated ``EXISTS`` or ``IN`` subqueries for anything kept elsewhere, so a whole
rule tree stays one ``SELECT``. Plugins add theirs through the
``crm_marketing_segment_criteria`` hook; marketing's own come the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.analytics import transactions
from crm_host.db import utcnow
from crm_host.models import Customer, Interaction, Tag
from crm_host.models.customers import LifecycleStage, customer_tags
from crm_marketing.i18n import _l
from crm_marketing.models import RfmScore

#: Value kinds and the operators each accepts.
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "is_set", "is_not_set"),
    "number": ("eq", "gte", "lte", "between"),
    "tags": ("any", "all", "none"),
    "days": ("within", "not_within"),
    "band": ("in",),
}
#: Operators that take no value.
NO_VALUE = ("is_set", "is_not_set")

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


class CriterionError(ValueError):
    """A value a criterion cannot use; the message says what it needs."""


Build = Callable[[Session, str, Any], sa.ColumnElement[bool]]


@dataclass(frozen=True)
class Criterion:
    """A field rules may test. ``build(session, op, value)`` returns a condition on customers."""

    name: str
    label: Any
    kind: str
    build: Build
    #: Suggested values for a choice list in the console (empty: free input).
    choices: Sequence[str] = field(default_factory=tuple)
    #: The plugin that contributed it; filled in when criteria are collected.
    plugin: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators this criterion accepts."""
        return OPERATORS[self.kind]


# --- value checks -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise CriterionError("Needs a text of 1 to 200 characters.")
    return value.strip()


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= 500:
        raise CriterionError("Needs a list of 1 to 500 texts.")
    return [_text(v) for v in value]


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CriterionError("Needs a number.")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CriterionError("Needs a number.") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise CriterionError("Needs a finite number below 10^15.")
    return number


def _whole_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 36_500:
        raise CriterionError("Needs a whole number of days from 0 to 36500.")
    return value


# --- condition builders --------------------------------------------------------------------


def compare(column: sa.ColumnElement[Any], op: str, value: Any) -> sa.ColumnElement[bool]:
    """``column`` against ``value`` under a text or number operator."""
    if op == "is_set":
        return column.is_not(None)
    if op == "is_not_set":
        return column.is_(None)
    if op in ("eq", "ne") and isinstance(value, str):
        text = _text(value)
        return column == text if op == "eq" else sa.or_(column != text, column.is_(None))
    if op in ("in", "not_in"):
        texts = _texts(value)
        return column.in_(texts) if op == "in" else sa.or_(column.not_in(texts), column.is_(None))
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise CriterionError("Needs [lowest, highest].")
        low, high = _number(value[0]), _number(value[1])
        if low > high:
            raise CriterionError("The lowest value is above the highest.")
        return column.between(low, high)
    number = _number(value)
    return {"eq": column == number, "gte": column >= number, "lte": column <= number}[op]


def text_field(column: sa.ColumnElement[Any]) -> Build:
    """A criterion on a text column of the customer."""
    return lambda session, op, value: compare(column, op, value)


def age_band(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers whose age today falls in one of the named bands (from ``birth_date``)."""
    bands = _texts(value)
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
    names = _texts(value)

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


def rfm_score(column: sa.ColumnElement[int]) -> Build:
    """A criterion on one of the stored RFM scores (customers without one never match)."""

    def build(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        condition = compare(column, op, value)
        return Customer.id.in_(sa.select(RfmScore.customer_id).where(condition))

    return build


def monetary(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Total spend over every plugin's transactions (the host's union), live, not stored."""
    tx = transactions(session)
    total = sa.func.sum(tx.c.amount)
    spenders = sa.select(tx.c.customer_id).group_by(tx.c.customer_id)
    return Customer.id.in_(spenders.having(compare(total, op, value)))


def purchase_count(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Number of transactions over every plugin's transactions."""
    tx = transactions(session)
    buyers = sa.select(tx.c.customer_id).group_by(tx.c.customer_id)
    return Customer.id.in_(buyers.having(compare(sa.func.count(), op, value)))


def last_interaction(session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
    """Customers with (``within``) or without (``not_within``) a touchpoint in the last N days."""
    since = utcnow() - timedelta(days=_whole_days(value))
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
        Criterion("monetary", _l("Total spend"), "number", monetary),
        Criterion("purchases", _l("Number of purchases"), "number", purchase_count),
        Criterion("last_interaction", _l("Last interaction"), "days", last_interaction),
    ]
