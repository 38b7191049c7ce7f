"""Merging duplicate customers: one survives, the other's everything moves to it.

One transaction: the host moves its rows, every installed plugin moves its own
(``crm_customers_merging``), and the merge is refused if any row anywhere still
points at the merged customer — a plugin that forgot would otherwise lose rows to
``ON DELETE CASCADE`` without anyone noticing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import ValidationFailed
from crm_host.core.host import host_of
from crm_host.core.models import (
    Address,
    Consent,
    Contact,
    Customer,
    Interaction,
    User,
    customer_departments,
    customer_tags,
)
from crm_host.core.versioning import bump_version
from crm_host.domain.customers.rules import FIELDS
from crm_host.domain.customers.service import get_customer, snapshot
from crm_host.records import audit

#: Host rows that simply move to the survivor.
MOVED = (Contact, Address, Interaction, Consent)
#: Scalar fields the survivor takes from the merged customer when it has none.
FILLED = (
    *(f for f in FIELDS if f not in ("code", "name", "kind", "lifecycle_stage")),
    "owner_id",
)


def _move_links(session: Session, table: sa.Table, column: str, survivor: int, merged: int) -> None:
    """Give the survivor the merged customer's tags or departments it lacks."""
    have = sa.select(table.c[column]).where(table.c.customer_id == survivor)
    session.execute(
        table.update()
        .where(table.c.customer_id == merged, table.c[column].not_in(have))
        .values(customer_id=survivor)
    )
    session.execute(table.delete().where(table.c.customer_id == merged))


def remaining_references(session: Session, customer_id: int) -> dict[str, int]:
    """Rows in any table still pointing at ``customer_id``: ``table.column`` → count."""
    connection = session.connection()
    inspector = sa.inspect(connection)
    found: dict[str, int] = {}
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] != "customers" or len(fk["constrained_columns"]) != 1:
                continue
            column = fk["constrained_columns"][0]
            count = session.scalar(
                sa.select(sa.func.count())
                .select_from(sa.table(table, sa.column(column)))
                .where(sa.column(column) == customer_id)
            )
            if count:
                found[f"{table}.{column}"] = count
    return found


def merge_customers(
    session: Session, survivor: Customer, merged: Customer, *, actor: User | None = None
) -> Customer:
    """Merge ``merged`` into ``survivor`` and delete ``merged``; audited as one entry."""
    if survivor.id == merged.id:
        raise ValidationFailed("a customer cannot be merged into itself")
    before = {"survivor": snapshot(survivor), "merged": snapshot(merged) | {"id": merged.id}}
    for name in FILLED:
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            setattr(survivor, name, getattr(merged, name))
    survivor.custom = {**(merged.custom or {}), **(survivor.custom or {})}
    session.flush()
    for model in MOVED:
        session.execute(
            sa.update(model)
            .where(model.customer_id == merged.id)
            .values(customer_id=survivor.id, **bump_version(model))
        )
    _move_links(session, customer_tags, "tag_id", survivor.id, merged.id)
    _move_links(session, customer_departments, "department_id", survivor.id, merged.id)
    session.execute(
        sa.update(Customer)
        .where(Customer.parent_id == merged.id)
        .values(parent_id=survivor.id, **bump_version(Customer))
    )
    # The survivor took over tags and departments above; its version says so.
    survivor.version = survivor.version + 1
    if survivor.parent_id == merged.id:
        survivor.parent_id = merged.parent_id if merged.parent_id != survivor.id else None

    for name, function, argnames in host_of(session).plugins.implementations(
        "crm_customers_merging"
    ):
        kwargs: dict[str, Any] = {"survivor": survivor, "merged": merged, "session": session}
        try:
            function(**{a: kwargs[a] for a in argnames})
        except Exception as error:
            raise ValidationFailed(
                f"plugin {name} could not take part in the merge: {error}"
            ) from error
    session.flush()
    left = remaining_references(session, merged.id)
    if left:
        raise ValidationFailed(
            "the merge would lose rows still pointing at the merged customer in "
            + ", ".join(f"{place} ({count})" for place, count in sorted(left.items())),
            details={"merged": [f"{place}: {count}" for place, count in sorted(left.items())]},
        )
    # The moves above went past the ORM: reload what it holds of the merged customer so
    # the delete does not try to remove link rows that have already moved.
    session.expire(merged)
    session.delete(merged)
    session.flush()
    session.expire(survivor)
    audit.record(
        session,
        "merge",
        "customer",
        survivor.id,
        before=before,
        after=snapshot(survivor),
        actor=actor,
    )
    return survivor


def merge_by_id(
    session: Session, survivor_id: int, merged_id: int, *, actor: User | None = None
) -> Customer:
    """Merge by ids (the API and CLI entry point)."""
    return merge_customers(
        session, get_customer(session, survivor_id), get_customer(session, merged_id), actor=actor
    )
