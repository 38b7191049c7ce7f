"""Taking a person's values out of stored JSON and text, for erasure.

The customer erasure (:mod:`crm_host.domain.customers.privacy`) scrubs the audit log,
and the runtime and records layers scrub their own tables (outbox payloads, jobs,
notifications): the scrubbing itself sits down here so that none of them imports
the domain.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

#: What an erased personal value reads as.
ERASED = "[erased]"


def scrub_value(value: Any, secrets: set[str]) -> Any:
    """Replace personal strings anywhere inside a JSON value."""
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, ERASED)
        return value
    if isinstance(value, dict):
        return {k: scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(v, secrets) for v in value]
    return value


def scrub_json_column(
    session: Session, column: sa.Column[Any], key: sa.Column[Any], secrets: set[str]
) -> int:
    """Scrub ``secrets`` out of a JSON (or text) column wherever they appear; returns rows changed.

    Used for the audit log by the customer erasure, and by the runtime for outbox
    payloads and notifications.
    """
    table = column.table
    changed = 0
    for row_key, value in session.execute(sa.select(key, column).where(column.is_not(None))):
        cleaned = scrub_value(value, secrets)
        if cleaned != value:
            session.execute(table.update().where(key == row_key).values({column.name: cleaned}))
            changed += 1
    return changed
