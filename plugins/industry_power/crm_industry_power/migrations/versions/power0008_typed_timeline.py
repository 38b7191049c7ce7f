"""power: timeline entries name their faults as typed references, not strings

Revision ID: power0008
Revises: power0007
Create Date: 2026-12-07

The power plugin wrote ``reference`` strings of its own format (``power-fault:<id>``) on
the customer timeline; only it could read them. The host now keeps the object as
``(object_type, object_id)`` (host0018), so the registry can label and link it for
whoever may read it. This converts the plugin's existing entries and clears the
strings, which were only pointers; the downgrade writes them back.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import type_timeline_references, untype_timeline_references

revision: str = "power0008"
down_revision: str | Sequence[str] | None = "power0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

#: (the old reference prefix, the registered object type) of each kind of entry.
FORMATS = (("power-fault:", "power.fault"),)
PLUGIN = "industry_power"


def upgrade() -> None:
    type_timeline_references(PLUGIN, FORMATS)


def downgrade() -> None:
    untype_timeline_references(PLUGIN, FORMATS)
