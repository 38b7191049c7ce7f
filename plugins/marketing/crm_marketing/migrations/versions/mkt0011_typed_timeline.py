"""marketing: timeline entries of sends and responses name their campaign

Revision ID: mkt0011
Revises: mkt0010
Create Date: 2026-12-07

A send's entry (``reference`` ``marketing_send:<send id>``) and a response's
(``marketing_send:<send id>:<kind>``) pointed at the send only through that string,
which only marketing can read. The host now keeps the object as ``(object_type,
object_id)`` (host0018): these entries are about the send's campaign,
``marketing.campaign``. The strings stay: they are marketing's own key, by which a
response of a kind is recorded once (also for entries written before this). The
downgrade clears the typed reference again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "mkt0011"
down_revision: str | Sequence[str] | None = "mkt0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

PREFIX = "marketing_send:"
OBJECT = "marketing.campaign"
#: Entries updated a statement: big enough to be quick, small enough to bound memory.
CHUNK = 1000


def _send_id(reference: str) -> int | None:
    """The send id in ``marketing_send:<id>`` or ``marketing_send:<id>:<kind>``."""
    text = reference[len(PREFIX) :].split(":", 1)[0]
    return int(text) if text.isdigit() else None


def upgrade() -> None:
    connection = op.get_bind()
    entries = connection.execute(
        sa.text(
            "SELECT id, reference FROM interactions "
            "WHERE source_plugin = 'marketing' AND substr(reference, 1, :length) = :prefix"
        ).bindparams(length=len(PREFIX), prefix=PREFIX)
    ).all()
    sends = {entry_id: _send_id(reference) for entry_id, reference in entries}
    wanted = sorted({send for send in sends.values() if send is not None})
    campaigns: dict[int, int] = {}
    select = sa.text("SELECT id, campaign_id FROM marketing_sends WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    for start in range(0, len(wanted), CHUNK):
        campaigns.update(connection.execute(select, {"ids": wanted[start : start + CHUNK]}).all())
    rows = [
        {"entry": entry_id, "campaign": campaigns[send], "type": OBJECT}
        for entry_id, send in sends.items()
        if send in campaigns
    ]
    update = sa.text(
        "UPDATE interactions SET object_type = :type, object_id = :campaign WHERE id = :entry"
    )
    for start in range(0, len(rows), CHUNK):
        connection.execute(update, rows[start : start + CHUNK])


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE interactions SET object_type = NULL, object_id = NULL "
            "WHERE source_plugin = 'marketing' AND object_type = :type"
        ).bindparams(type=OBJECT)
    )
