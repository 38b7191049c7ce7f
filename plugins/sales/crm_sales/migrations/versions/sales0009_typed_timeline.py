"""sales: timeline entries name their leads, quotes, orders and activities as typed references, not strings

Revision ID: sales0009
Revises: sales0008
Create Date: 2026-12-07

The sales plugin wrote ``reference`` strings of its own format (``sales_lead:<id>``, ``sales_quote:<id>``, ``sales_order:<id>``, ``sales_activity:<id>``) on
the customer timeline; only it could read them. The host now keeps the object as
``(object_type, object_id)`` (host0018), so the registry can label and link it for
whoever may read it. This converts the plugin's existing entries and clears the
strings, which were only pointers; the downgrade writes them back.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import type_timeline_references, untype_timeline_references

revision: str = "sales0009"
down_revision: str | Sequence[str] | None = "sales0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

#: (the old reference prefix, the registered object type) of each kind of entry.
FORMATS = (
    ("sales_lead:", "sales.lead"),
    ("sales_quote:", "sales.quote"),
    ("sales_order:", "sales.order"),
    ("sales_activity:", "sales.activity"),
)
PLUGIN = "sales"


def upgrade() -> None:
    type_timeline_references(PLUGIN, FORMATS)


def downgrade() -> None:
    untype_timeline_references(PLUGIN, FORMATS)
