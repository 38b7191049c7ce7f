"""service: timeline entries name their tickets as typed references, not strings

Revision ID: svc0009
Revises: svc0008
Create Date: 2026-12-07

The service plugin wrote ``reference`` strings of its own format (``service.ticket:<id>``) on
the customer timeline; only it could read them. The host now keeps the object as
``(object_type, object_id)`` (host0018), so the registry can label and link it for
whoever may read it. This converts the plugin's existing entries and clears the
strings, which were only pointers; the downgrade writes them back.
"""

from collections.abc import Sequence

from crm_host.sdk.migrations import type_timeline_references, untype_timeline_references

revision: str = "svc0009"
down_revision: str | Sequence[str] | None = "svc0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "host0018"

#: (the old reference prefix, the registered object type) of each kind of entry.
FORMATS = (("service.ticket:", "service.ticket"),)
PLUGIN = "service"


def upgrade() -> None:
    type_timeline_references(PLUGIN, FORMATS)


def downgrade() -> None:
    untype_timeline_references(PLUGIN, FORMATS)
