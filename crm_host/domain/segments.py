"""Segment criteria: the contract a plugin follows to let segments test its data.

A :class:`Criterion` names a field, the kind of value it takes (which fixes the
operators it accepts) and a function that turns ``(operator, value)`` into a SQL
condition on the ``customers`` table — a correlated ``EXISTS`` or ``IN`` over the
plugin's own tables for anything kept elsewhere, so a whole rule tree stays one
``SELECT``. Plugins offer theirs through the ``crm_segment_criteria`` hook; the
plugin that builds segments (marketing) collects them. The value checks and
:func:`compare` are here so every contributor rejects bad values the same way.

A criterion on a per-customer aggregate (total spend, number of purchases) may also
describe itself as a :class:`Grouped` measure of a named relation: a compiler can then
test several such criteria of one group in a single ``GROUP BY customer_id`` with a
combined ``HAVING`` instead of grouping the same rows once per criterion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import Customer

#: Value kinds and the operators each accepts.
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "is_set", "is_not_set"),
    "number": ("eq", "gt", "gte", "lt", "lte", "between"),
    "date": ("eq", "gt", "gte", "lt", "lte", "between"),
    "tags": ("any", "all", "none"),
    "days": ("within", "not_within"),
    "band": ("in",),
    #: A number over the last N days: ``{"days": N, "value": number or [low, high]}``.
    "window": ("eq", "gt", "gte", "lt", "lte", "between"),
}
#: How each comparing operator tests a column against a value.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda column, value: column == value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}
#: Operators that take no value.
NO_VALUE = ("is_set", "is_not_set")


class CriterionError(ValueError):
    """A value a criterion cannot use; the message says what it needs."""


#: ``build(session, op, value)``: the condition on ``customers``; raises
#: :class:`CriterionError` for a value it cannot use.
Build = Callable[[Session, str, Any], sa.ColumnElement[bool]]


@dataclass(frozen=True)
class Grouped:
    """A criterion that compares an aggregate over a relation grouped by customer.

    ``source(session)`` returns the relation (it has a ``customer_id`` column) and
    ``measure(relation)`` the aggregate the operator compares. Criteria whose ``key`` is
    the same read the same relation, so their tests may share one grouping; customers
    without a row in the relation never match.
    """

    key: str
    source: Callable[[Session], sa.FromClause]
    measure: Callable[[sa.FromClause], sa.ColumnElement[Any]]

    def test(self, relation: sa.FromClause, op: str, value: Any) -> sa.ColumnElement[bool]:
        """The ``HAVING`` test of ``op`` and ``value`` on ``relation`` (from ``source``);
        raises :class:`CriterionError` for a value it cannot use."""
        return compare(self.measure(relation), op, value)

    def build(self, session: Session, op: str, value: Any) -> sa.ColumnElement[bool]:
        """The criterion on its own, as a criterion's ``build``: customers whose group
        passes the test."""
        relation = self.source(session)
        return grouped_members(relation, [self.test(relation, op, value)])


def grouped_members(
    relation: sa.FromClause, tests: Sequence[sa.ColumnElement[bool]], *, any_: bool = False
) -> sa.ColumnElement[bool]:
    """Customers whose group of ``relation`` passes every (with ``any_``, at least one) of
    ``tests`` (:meth:`Grouped.test` results on that relation), in one grouped subquery.

    It selects exactly what the tests as separate ``IN`` conditions joined by AND (OR)
    select: each of those groups the same rows by the same column, so a customer is in
    all (any) of them when their one group passes all (any) of the tests.
    """
    combined = sa.or_(*tests) if any_ else sa.and_(*tests)
    grouped = sa.select(relation.c.customer_id).group_by(relation.c.customer_id)
    return Customer.id.in_(grouped.having(combined))


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
    #: Set when ``build`` is an aggregate test over a grouped relation (see
    #: :class:`Grouped`), so a compiler may combine it with others on the same relation.
    grouped: Grouped | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        """The operators this criterion accepts."""
        return OPERATORS[self.kind]


# --- value checks -----------------------------------------------------------------------


def text_value(value: Any) -> str:
    """``value`` as a stripped text of 1 to 200 characters, or :class:`CriterionError`."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise CriterionError("Needs a text of 1 to 200 characters.")
    return value.strip()


def text_values(value: Any) -> list[str]:
    """``value`` as a list of 1 to 500 texts, or :class:`CriterionError`."""
    if not isinstance(value, list) or not 1 <= len(value) <= 500:
        raise CriterionError("Needs a list of 1 to 500 texts.")
    return [text_value(v) for v in value]


def number_value(value: Any) -> Decimal:
    """``value`` as a finite decimal below 10^15 (booleans refused), or :class:`CriterionError`."""
    if isinstance(value, bool):
        raise CriterionError("Needs a number.")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CriterionError("Needs a number.") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise CriterionError("Needs a finite number below 10^15.")
    return number


def date_value(value: Any) -> date:
    """``value`` as a calendar date from ISO text (``2026-12-07``), or :class:`CriterionError`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CriterionError("Needs a date as YYYY-MM-DD.")


def window_value(value: Any) -> tuple[int, Any]:
    """A ``window`` value ``{"days": N, "value": …}`` as ``(days, number)`` or ``(days,
    [low, high])`` of decimals, or :class:`CriterionError`."""
    if not isinstance(value, dict) or set(value) != {"days", "value"}:
        raise CriterionError('Needs {"days": N, "value": number or [lowest, highest]}.')
    inner = value["value"]
    numbers = [number_value(v) for v in inner] if isinstance(inner, list) else None
    return whole_days(value["days"]), numbers if numbers is not None else number_value(inner)


def whole_days(value: Any) -> int:
    """``value`` as a whole number of days from 0 to 36500, or :class:`CriterionError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 36_500:
        raise CriterionError("Needs a whole number of days from 0 to 36500.")
    return value


# --- condition builders --------------------------------------------------------------------


def compare(
    column: sa.ColumnElement[Any], op: str, value: Any, *, kind: str = "number"
) -> sa.ColumnElement[bool]:
    """``column`` against ``value`` under a text, number or (``kind="date"``) date operator.

    ``ne`` and ``not_in`` keep rows where the column is NULL: "not gold" includes
    customers with no tier. Dates compare as calendar days: a timestamp column is
    cut to its (UTC) date first.
    """
    if kind == "date":
        return _compare_dates(column, op, value)
    if op == "is_set":
        return column.is_not(None)
    if op == "is_not_set":
        return column.is_(None)
    if op in ("eq", "ne") and isinstance(value, str):
        text = text_value(value)
        return column == text if op == "eq" else sa.or_(column != text, column.is_(None))
    if op in ("in", "not_in"):
        texts = text_values(value)
        return column.in_(texts) if op == "in" else sa.or_(column.not_in(texts), column.is_(None))
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise CriterionError("Needs [lowest, highest].")
        low, high = number_value(value[0]), number_value(value[1])
        if low > high:
            raise CriterionError("The lowest value is above the highest.")
        return column.between(low, high)
    return COMPARISONS[op](column, number_value(value))


def _compare_dates(column: sa.ColumnElement[Any], op: str, value: Any) -> sa.ColumnElement[bool]:
    kind = column.type
    while isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        # The column's UTC calendar day: a date on PostgreSQL, ISO text on SQLite, both
        # of which compare with a bound date as days do.
        column = sa.func.date(column, type_=sa.Date)
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise CriterionError("Needs [first day, last day].")
        first, last = date_value(value[0]), date_value(value[1])
        if first > last:
            raise CriterionError("The first day is after the last.")
        return column.between(first, last)
    if op not in COMPARISONS:
        raise CriterionError(f"{op} does not compare dates.")
    return COMPARISONS[op](column, date_value(value))


def text_field(column: sa.ColumnElement[Any]) -> Build:
    """A criterion's ``build`` comparing a text column of the customer."""
    return lambda session, op, value: compare(column, op, value)
