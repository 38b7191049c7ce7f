"""Guards and participants of customer writes: called inside the write's
transaction, batch-shaped; raising aborts the write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_host.hookspecs.marker import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_host.core.models import Customer


@hookspec
def crm_validate_customers(customers: list[Customer], session: Session) -> None:
    """Veto customers about to be written by raising (``crm_host.core.errors.ValidationFailed``
    gives the person a message and per-field details).

    Called inside the write's transaction, once per batch — an API write is a batch
    of one, an import calls it once per batch of rows — for every installed plugin,
    whoever triggered the write. Raising aborts the whole write and the error names
    the plugin; nothing of the write remains. Collecting; the return value is ignored.
    """


@hookspec
def crm_customers_merging(survivor: Customer, merged: Customer, session: Session) -> None:
    """Move the plugin's references from ``merged`` to ``survivor`` (``crm customers merge``).

    Called inside the merge's transaction, after the host moved its own rows and
    before ``merged`` is deleted, for every installed plugin. A plugin holding rows
    that point at customers must move them here: the merge is refused, naming the
    table, if any row still points at ``merged`` afterwards. Raising aborts the
    merge and the error names the plugin. Collecting; the return value is ignored.
    """


@hookspec
def crm_customer_erasing(customer: Customer, session: Session) -> None:
    """Pseudonymise the personal data the plugin holds about ``customer`` (right to erasure).

    Called inside the erasure's transaction for every installed plugin, before the
    host scrubs its own rows. Keep what accounting needs (amounts, dates, ids); remove
    names, contact details and free text. Must be idempotent: erasure may run twice.
    Raising aborts the erasure and the error names the plugin. Collecting; the return
    value is ignored.
    """
