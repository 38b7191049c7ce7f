"""Where the segment benchmark writes its transactions: the table behind one of the
host's transaction sources, found through the union (``crm_host.sdk.customers.sources``)
and never named here.

A source qualifies when it reads one table and its ``customer_id``, ``occurred_at``,
``amount``, ``currency`` and ``ref`` are plain columns of it; the table's other
required timestamps get the transaction's moment. Anything else required, or a
computed label, and the source is passed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk.customers import sources

#: The labels a bench row fills, by the union's column names.
LABELS = ("customer_id", "occurred_at", "amount", "currency", "ref")


@dataclass(frozen=True)
class Target:
    """A table to load transactions into: its columns, and the label each one gets."""

    table: sa.Table
    columns: tuple[str, ...]
    labels: tuple[str, ...]


def _is_timestamp(column: sa.Column[Any]) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl", kind), sa.DateTime)


def fillable(source: sa.Select[Any]) -> Target | None:
    """The table behind ``source`` and how to fill it; ``None`` when it cannot be filled."""
    froms = source.get_final_froms()
    if len(froms) != 1 or not isinstance(froms[0], sa.Table):
        return None
    table = froms[0]
    read: dict[str, str] = {}
    for column in source.selected_columns:
        element = getattr(column, "element", None)
        if isinstance(element, sa.Column) and element.table is table:
            read[column.name] = element.name
    if any(label not in read for label in LABELS):
        return None
    filled = {read[label]: label for label in LABELS}
    for column in table.columns:
        if column.name in filled or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        if not _is_timestamp(column):
            return None
        filled[column.name] = "occurred_at"  # a record's own timestamps: when it happened
    return Target(table, tuple(filled), tuple(filled.values()))


def target(session: Session) -> Target:
    """The first transaction source of this installation the benchmark can fill."""
    for source in sources(session):
        found = fillable(source)
        if found is not None:
            return found
    raise RuntimeError(
        "the segment benchmark needs an installed plugin whose transaction source reads "
        "the columns of one table (marketing's `uses` name the plugins it installs)"
    )


def rows(
    into: Target, customers: Any, amounts: Any, days: Any, start: datetime
) -> Iterator[tuple[Any, ...]]:
    """One row per transaction, in the order of ``into.columns``."""
    moments = [start + timedelta(days=d) for d in range(365)]
    for i, (customer, amount, day) in enumerate(
        zip(customers.tolist(), amounts.tolist(), days.tolist(), strict=True)
    ):
        values = {
            "customer_id": customer,
            "occurred_at": moments[day],
            "amount": amount,
            "currency": "CNY",
            "ref": f"BENCH{i:09d}",
        }
        yield tuple(values[label] for label in into.labels)
