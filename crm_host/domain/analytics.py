"""The transactions of every installed plugin as one SQL relation, for segments and RFM.

Analytics never read a plugin's tables: each plugin hands over a ``Select`` with six
labelled columns through ``crm_transaction_sources``, and this module unions them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from crm_host.core.db import UTCDateTime
from crm_host.core.errors import CrmError
from crm_host.core.host import host_of

COLUMNS = ("customer_id", "occurred_at", "amount", "currency", "source", "ref")
#: What each column must be: the SQL kind a ``UNION ALL`` on PostgreSQL can combine
#: with the other plugins' columns, as the SQLAlchemy type it is checked against.
KINDS: dict[str, tuple[str, type[sa.types.TypeEngine[Any]]]] = {
    "customer_id": ("an integer", sa.Integer),
    "occurred_at": ("a timestamp", sa.DateTime),
    "amount": ("a numeric", sa.Numeric),
    "currency": ("a string", sa.String),
    "source": ("a string", sa.String),
    "ref": ("a string", sa.String),
}


class SourceError(CrmError):
    """A plugin's transaction source is not shaped as the contract says."""

    status = 500


def _empty() -> sa.Select[Any]:
    """No transactions, with the right columns (no plugin contributes any)."""
    return sa.select(
        sa.cast(sa.null(), sa.Integer).label("customer_id"),
        sa.cast(sa.null(), UTCDateTime()).label("occurred_at"),
        sa.cast(sa.null(), sa.Numeric(18, 2)).label("amount"),
        sa.cast(sa.null(), sa.String(3)).label("currency"),
        sa.cast(sa.null(), sa.String(64)).label("source"),
        sa.cast(sa.null(), sa.String(100)).label("ref"),
    ).where(sa.false())


def _kind(column: sa.ColumnElement[Any]) -> sa.types.TypeEngine[Any]:
    kind = column.type
    while isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    return kind


def _type_name(kind: sa.types.TypeEngine[Any]) -> str:
    try:
        return str(kind.compile(dialect=postgresql.dialect()))
    except Exception:  # a type PostgreSQL cannot spell (NullType): say what it is
        return type(kind).__name__


def _fits(kind: sa.types.TypeEngine[Any], wanted: type[sa.types.TypeEngine[Any]]) -> bool:
    if wanted is sa.Numeric and isinstance(kind, sa.Float):
        return False  # money summed in floating point drifts; the contract says numeric
    if wanted is sa.String and isinstance(kind, sa.Enum) and kind.native_enum:
        return False  # a PostgreSQL enum does not UNION with varchar
    return isinstance(kind, wanted)


def source_problems(statement: Any) -> list[str]:
    """What is wrong with one transaction source, one phrase each; empty when it fits.

    The statement must be a ``Select`` that compiles for PostgreSQL and selects
    :data:`COLUMNS`, labelled so and in that order, each of the kind :data:`KINDS`
    names. The types are read from the compiled statement's columns, so an integer
    ``ref`` is caught here rather than by PostgreSQL's ``UNION`` of every plugin.
    """
    if not isinstance(statement, sa.Select):
        return [f"it is a {type(statement).__name__}, not a SQLAlchemy Select"]
    try:
        statement.compile(dialect=postgresql.dialect())
    except Exception as error:
        return [f"it does not compile for PostgreSQL: {type(error).__name__}: {error}"]
    columns = list(statement.selected_columns)
    labels = tuple(c.key for c in columns)
    if labels != COLUMNS:
        return [
            f"it must select {', '.join(COLUMNS)} in that order, not {', '.join(map(str, labels))}"
        ]
    problems = []
    for column in columns:
        meaning, wanted = KINDS[column.key]
        kind = _kind(column)
        if not _fits(kind, wanted):
            problems.append(
                f"it selects {column.key} as {_type_name(kind)}, but the contract wants "
                f"{meaning} ({wanted.__name__}): cast it, e.g. "
                f"sa.cast(..., sa.{wanted.__name__}).label({column.key!r})"
            )
    return problems


def sources(session: Session) -> list[sa.Select[Any]]:
    """Every installed plugin's transaction statements, checked against the contract.

    A source whose labels or column types do not fit is refused naming its plugin,
    before its statement reaches a ``UNION ALL`` whose database error would name none.
    """
    statements = []
    for plugin, result in host_of(session).plugins.call_each("crm_transaction_sources"):
        for number, statement in enumerate(result or (), start=1):
            problems = source_problems(statement)
            if problems:
                raise SourceError(
                    f"plugin {plugin}: transaction source {number}: {'; '.join(problems)}"
                )
            statements.append(statement)
    return statements


def transactions(session: Session) -> sa.Subquery:
    """``UNION ALL`` of every source, as a subquery with the six columns."""
    statements = sources(session) or [_empty()]
    combined = statements[0] if len(statements) == 1 else sa.union_all(*statements)
    return combined.subquery("transactions")
