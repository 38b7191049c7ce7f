"""The plugin SDK: everything of the host that a plugin may import.

A plugin package (``crm_<slug>``) imports the host only from ``crm_host.sdk`` and its
submodules, and its tests also from ``crm_host.testing``. Like CKAN's
``plugins.toolkit``, this module holds no implementations: it re-exports the host's
public objects under one stable address, so the host may reorganise its modules
without breaking a plugin.

**Stability promise.** A name listed in ``__all__`` here or in a submodule changes
only by deprecation: it keeps working, with a ``DeprecationWarning`` naming its
replacement, for at least one release before it is removed or changes meaning.
Anything imported from elsewhere in ``crm_host`` may change without notice, and
``crm plugins check`` lists every such import with its replacement.

The surface, by address:

- ``crm_host.sdk`` — the host and its clock, models, errors, permissions, the plugin
  contract and the registries' types, events and jobs, the shared services (audit,
  timeline, notifications, attachments, links, sensitive fields, SLA clocks);
- ``crm_host.sdk.customers`` — customer services, consent, privacy, segments,
  importing and the analytics transaction sources;
- ``crm_host.sdk.validation`` — the validation vocabulary: rules for the domain layer
  (text, money, decimal, choice, date, customer reference, phone, e-mail) and the
  marshmallow fields that call them;
- ``crm_host.sdk.web`` — API fields, pagination, ETags, menus and the console;
- ``crm_host.sdk.migrations`` — what a plugin's Alembic migrations use;
- ``crm_host.sdk.bench`` — what a plugin's ``crm bench`` figures use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Imports in module order; ``__all__`` below groups the names by topic.
from crm_host.core.company_time import DEFAULT as DEFAULT_TIMEZONE
from crm_host.core.company_time import company_timezone, company_today
from crm_host.core.db import Base, UTCDateTime, status_type, utcnow
from crm_host.core.errors import Conflict, CrmError, NotFound, ValidationFailed
from crm_host.core.host import get_host, host_of
from crm_host.core.models import (
    AuditLog,
    Consent,
    Contact,
    Customer,
    Department,
    EmailMessage,
    Interaction,
    LifecycleStage,
    Membership,
    PluginEnablement,
    Role,
    RolePermission,
    SlaClock,
    Tag,
    User,
)
from crm_host.core.models.customers import customer_tags
from crm_host.core.objects import ObjectRegistry, where_rule
from crm_host.core.scopes import scope_of
from crm_host.core.sensitive import blind_phones, mask, may_reveal, shown
from crm_host.core.text import normalize_phone
from crm_host.core.versioning import Versioned, bump_version
from crm_host.domain.sla import BusinessCalendar, ClockStatus
from crm_host.domain.sla import store as clocks
from crm_host.links.signing import LinkError, make_token, read_token
from crm_host.plugins._registering import PluginRegistry
from crm_host.plugins.facade import Manifest, PluginError, hookimpl, hookspec
from crm_host.records import attachments, audit, notifications, timeline
from crm_host.records.audit import jsonable
from crm_host.records.notifications import notify, queue_email, queue_emails
from crm_host.runtime._runner import Runner
from crm_host.runtime.facade import (
    Batch,
    CustomerEvent,
    JobContext,
    JobRegistry,
    customer_events,
    emit,
    enqueue,
    event_label,
)
from crm_host.security.permissions import (
    Permission,
    authorize,
    can,
    record_filter,
    require,
)

if TYPE_CHECKING:
    from crm_host.cli._common import fail

#: Names loaded on first use. ``fail`` lives with the commands, and importing every
#: command with it would add a second to the import of each plugin module.
_LAZY = {"fail": "crm_host.cli._common"}


def __getattr__(name: str) -> object:
    """A name of :data:`_LAZY`, imported on first use (``from crm_host.sdk import fail``)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    # The host and the company clock
    "get_host",
    "host_of",
    "utcnow",
    "company_today",
    "company_timezone",
    "DEFAULT_TIMEZONE",
    # Models
    "Base",
    "UTCDateTime",
    "status_type",
    "Versioned",
    "bump_version",
    "AuditLog",
    "Consent",
    "Contact",
    "Customer",
    "Department",
    "EmailMessage",
    "Interaction",
    "LifecycleStage",
    "Membership",
    "PluginEnablement",
    "Role",
    "RolePermission",
    "SlaClock",
    "Tag",
    "User",
    "customer_tags",
    # Errors
    "CrmError",
    "Conflict",
    "NotFound",
    "ValidationFailed",
    "fail",
    # Permissions
    "Permission",
    "authorize",
    "can",
    "record_filter",
    "require",
    "scope_of",
    # The plugin contract and the registries' types
    "Manifest",
    "PluginError",
    "PluginRegistry",
    "hookimpl",
    "hookspec",
    "ObjectRegistry",
    "where_rule",
    "JobRegistry",
    # Events and background jobs
    "emit",
    "enqueue",
    "event_label",
    "Batch",
    "CustomerEvent",
    "customer_events",
    "JobContext",
    "Runner",
    # Shared services
    "attachments",
    "audit",
    "jsonable",
    "notifications",
    "notify",
    "queue_email",
    "queue_emails",
    "timeline",
    "LinkError",
    "make_token",
    "read_token",
    "blind_phones",
    "mask",
    "may_reveal",
    "shown",
    "normalize_phone",
    "BusinessCalendar",
    "ClockStatus",
    "clocks",
]
