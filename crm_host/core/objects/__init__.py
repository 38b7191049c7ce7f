"""Registered object types and the one check of who may read or change an object.

See :mod:`crm_host.core.objects.registry` (what a type declares) and
:mod:`crm_host.core.objects.access` (the check every shared service asks).
"""

from crm_host.core.objects.access import (
    check_object,
    enabled_plugins,
    may_read,
    object_registry,
    object_type,
    readable,
)
from crm_host.core.objects.registry import (
    ObjectRegistry,
    ObjectType,
    RecordRule,
    collect_objects,
    where_rule,
)

__all__ = [
    "ObjectRegistry",
    "ObjectType",
    "RecordRule",
    "check_object",
    "collect_objects",
    "enabled_plugins",
    "may_read",
    "object_registry",
    "object_type",
    "readable",
    "where_rule",
]
