"""Re-encrypting sensitive fields under the current key (``crm keys rotate``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from crm_host.db import Database
from crm_host.sensitive import FieldCipher, blind_id_number, blind_phone


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
    batch, each batch its own transaction: an interrupted rotation is simply run again.
    ``cipher`` must know every key values were written with.
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
                rows = session.execute(
                    sa.select(table.c.id, stored)
                    .where(table.c.id > last_id, stored.is_not(None))
                    .order_by(table.c.id)
                    .limit(batch_size)
                ).all()
                if not rows:
                    break
                updates = []
                for row_id, value in rows:
                    plain = cipher.decrypt(value)
                    new = plain if decrypt else cipher.encrypt(plain)
                    update = {"row_id": row_id, "value": new}
                    if spec.blind_column and spec.blind:
                        update["blind"] = spec.blind(plain)
                    updates.append(update)
                values = {spec.column: sa.bindparam("value")}
                if spec.blind_column:
                    values[spec.blind_column] = sa.bindparam("blind")
                session.execute(
                    table.update().where(table.c.id == sa.bindparam("row_id")).values(values),
                    updates,
                )
                last_id = rows[-1][0]
                count += len(rows)
            if progress:
                progress(f"{spec.table}.{spec.column}", count)
        done[f"{spec.table}.{spec.column}"] = count
    return done
