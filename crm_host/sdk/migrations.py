"""What a plugin's Alembic migrations use of the host: the column type for moments and
the helpers for record versions, status checks and trigram search indexes.

Part of the SDK's stability promise (see :mod:`crm_host.sdk`): a name in ``__all__``
changes only by deprecation. A migration imports from here rather than from the
plugin's models, so that it keeps meaning what it meant when it was written.
"""

from __future__ import annotations

from crm_host.core.db import UTCDateTime
from crm_host.core.migration_ops import (
    add_version_columns,
    create_trigram_indexes,
    drop_trigram_indexes,
    drop_version_columns,
    replace_status_check,
    type_timeline_references,
    untype_timeline_references,
)

__all__ = [
    # Column types
    "UTCDateTime",
    # Record versions and trigram search indexes, one call per migration step
    "add_version_columns",
    "drop_version_columns",
    "create_trigram_indexes",
    "drop_trigram_indexes",
    # The CHECK behind a status column (crm_host.sdk.status_type)
    "replace_status_check",
    # Timeline references of a plugin: from <prefix><id> strings to (type, id) and back
    "type_timeline_references",
    "untype_timeline_references",
]
