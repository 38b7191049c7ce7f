"""Re-encrypting sensitive fields under the current key (``crm keys rotate``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crm_host.core.db import Database
from crm_host.core.sensitive import FieldCipher, blind_id_number, blind_phone


@dataclass(frozen=True)
class SensitiveColumn:
    """A column stored encrypted, and the blind index kept beside it (if any)."""

    table: str
    column: str
    blind_column: str | None = None
    blind: Callable[[str | None], str | None] | None = None


SENSITIVE_COLUMNS = (
    SensitiveColumn("customers", "phone", "phone_blind", blind_phone),
    SensitiveColumn("customers", "id_number", "id_number_blind", blind_id_number),
    SensitiveColumn("contacts", "phone", "phone_blind", blind_phone),
    SensitiveColumn("addresses", "line1"),
    SensitiveColumn("addresses", "line2"),
)


def rotate(
    database: Database,
    cipher: FieldCipher,
    *,
    decrypt: bool = False,
    batch_size: int = 1000,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rewrite every sensitive value under the current key, or in clear with ``decrypt``,
    and recompute the blind indexes; returns the rows rewritten per ``table.column``.

    Works on the stored forms directly (the columns read as plain text here), batch by
    batch, each batch its own transaction: an interrupted rotation is simply run again,
    and values already under the current key with the current blind index are left as
    they are (a second rotation rewrites nothing). ``cipher`` must know every key
    values were written with.
    """
    done: dict[str, int] = {}
    for spec in SENSITIVE_COLUMNS:
        columns = [sa.column("id", sa.Integer), sa.column(spec.column, sa.String)]
        if spec.blind_column:
            columns.append(sa.column(spec.blind_column, sa.String))
        table = sa.table(spec.table, *columns)
        stored = table.c[spec.column]
        last_id, count = 0, 0
        while True:
            with database.session_factory() as session, session.begin():
                blind_column = table.c[spec.blind_column] if spec.blind_column else sa.null()
                rows = session.execute(
                    sa.select(table.c.id, stored, blind_column)
                    .where(table.c.id > last_id, stored.is_not(None))
                    .order_by(table.c.id)
                    .limit(batch_size)
                ).all()
                if not rows:
                    break
                updates = [u for u in (_rewrite(spec, cipher, row, decrypt) for row in rows) if u]
                values = {spec.column: sa.bindparam("value")}
                if spec.blind_column:
                    values[spec.blind_column] = sa.bindparam("blind")
                if updates:
                    session.execute(
                        table.update().where(table.c.id == sa.bindparam("row_id")).values(values),
                        updates,
                    )
                last_id = rows[-1][0]
                count += len(updates)
            if progress:
                progress(f"{spec.table}.{spec.column}", count)
        done[f"{spec.table}.{spec.column}"] = count
    return done


def _rewrite(
    spec: SensitiveColumn, cipher: FieldCipher, row: sa.Row[Any], decrypt: bool
) -> dict[str, Any] | None:
    """The update that brings one row's value under the current key (or in clear),
    ``None`` when it is there already."""
    row_id, value, blind_value = row
    plain = cipher.decrypt(value)
    index = spec.blind(plain) if spec.blind_column and spec.blind else None
    if decrypt:
        if value == plain:
            return None
    elif cipher.key_id_of(value) == cipher.key_ids[0] and blind_value == index:
        return None
    update = {"row_id": row_id, "value": plain if decrypt else cipher.encrypt(plain)}
    if spec.blind_column:
        update["blind"] = index
    return update
