"""The transactions of every installed plugin as one SQL relation, for segments and RFM.

Analytics never read a plugin's tables: each plugin hands over a ``Select`` with six
labelled columns through ``crm_transaction_sources``, and this module unions them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.db import UTCDateTime
from crm_host.errors import CrmError
from crm_host.host import host_of

COLUMNS = ("customer_id", "occurred_at", "amount", "currency", "source", "ref")


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


def sources(session: Session) -> list[sa.Select[Any]]:
    """Every installed plugin's transaction statements, checked for their labels."""
    statements = []
    for plugin, result in host_of(session).plugins.call_each("crm_transaction_sources"):
        for statement in result or ():
            labels = tuple(c.key for c in statement.selected_columns)
            if labels != COLUMNS:
                raise SourceError(
                    f"plugin {plugin}: a transaction source must select {', '.join(COLUMNS)} "
                    f"in that order, not {', '.join(labels)}"
                )
            statements.append(statement)
    return statements


def transactions(session: Session) -> sa.Subquery:
    """``UNION ALL`` of every source, as a subquery with the six columns."""
    statements = sources(session) or [_empty()]
    combined = statements[0] if len(statements) == 1 else sa.union_all(*statements)
    return combined.subquery("transactions")
