"""May this user read or change this object? The one answer every shared service asks.

An object ``(type, id)`` is readable when all three hold: the type's plugin is
enabled for one of the user's departments (the host's own types are everyone's),
the user holds the type's read permission, and the type's record rule lets them at
this object. Changing it needs the same with the write permission.

The answers are chosen one way for every service: an unknown type is a 422 naming
``object_type``; an object that does not exist *and* one the user may not read are
the same 404 with the same message, so ids cannot be enumerated (the second is put
on the audit log as a refusal); an object the user may read but not change is a 403
naming the permission. ``user=None`` is the system (jobs, mail, the CLI): it reaches
every existing object.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import Forbidden, NotFound, NotVisible, ValidationFailed
from crm_host.core.models import Membership, PluginEnablement, User
from crm_host.core.objects.registry import ObjectRegistry, ObjectType
from crm_host.core.scopes import scope_of


def object_registry(session: Session) -> ObjectRegistry:
    """The object types of the session's application."""
    from crm_host.core.host import host_of

    return host_of(session).objects


def object_type(session: Session, name: Any) -> ObjectType:
    """The registered type ``name``; a 422 naming ``object_type`` when there is none."""
    registry = object_registry(session)
    spec = registry.get(name) if isinstance(name, str) else None
    if spec is None:
        known = ", ".join(sorted(registry.types))
        raise ValidationFailed(
            f"unknown object type {name!r}",
            details={"object_type": [f"Unknown object type; one of: {known}."]},
        )
    return spec


def enabled_plugins(session: Session, user: User) -> set[str]:
    """Names of the plugins enabled for at least one of the user's departments."""
    return set(
        session.scalars(
            sa.select(PluginEnablement.plugin_name)
            .join(Membership, Membership.department_id == PluginEnablement.department_id)
            .where(Membership.user_id == user.id)
            .distinct()
        )
    )


def _refusal(
    session: Session, user: User | None, spec: ObjectType, permission: str, key: Any
) -> str | None:
    """Why ``user`` may not use ``permission`` on the object ``key``; ``None`` when they may."""
    if user is None:
        return None
    if spec.plugin is not None and spec.plugin not in enabled_plugins(session, user):
        return f"the plugin {spec.plugin} is not enabled for the user's departments"
    if scope_of(session, user, permission) is None:
        return f"the user lacks the permission {permission}"
    if spec.rule is not None and key not in set(spec.rule(session, user, permission, [key])):
        return f"the record rule of {spec.name} refuses {permission} on it"
    return None


def check_object(
    session: Session, user: User | None, type_name: Any, object_id: Any, *, write: bool = False
) -> ObjectType:
    """Raise unless ``user`` may read (with ``write``: change) the object; returns its type.

    422 for an unknown type (naming ``object_type``), :class:`NotFound` for a missing
    object, :class:`NotVisible` (also a 404, same message) for one the user may not
    read, :class:`Forbidden` for one they may read but not change.
    """
    spec = object_type(session, type_name)
    key = spec.key(object_id)
    missing = f"no {spec.name} with id {object_id}"
    details = {"object_id": [f"No {spec.name} with this id."]}
    if (
        key is None
        or session.scalar(sa.select(spec.id_column).where(spec.id_column == key)) is None
    ):
        raise NotFound(missing, details=details)
    why = _refusal(session, user, spec, spec.read, key)
    if why is not None:
        raise NotVisible(
            missing, reason=f"{spec.name} {key}: {why}", plugin=spec.plugin, details=details
        )
    if write:
        why = _refusal(session, user, spec, spec.write, key)
        if why is not None:
            raise Forbidden(
                f"You need the permission {spec.write} for this {spec.name}.",
                details={"permission": [spec.write]},
            )
    return spec


def may_read(session: Session, user: User | None, type_name: str, object_id: Any) -> bool:
    """Whether ``user`` may read the object (an unknown type or a missing object: no)."""
    return (type_name, str(object_id)) in readable(session, user, [(type_name, object_id)])


def readable(
    session: Session, user: User | None, refs: Iterable[tuple[str, Any]]
) -> set[tuple[str, str]]:
    """The ``(type, id)`` pairs among ``refs`` that exist and that ``user`` may read.

    One query per type (and one for the departments' plugins), not one per object:
    lists use it to drop what the user may not see. Ids come back as strings.
    """
    registry = object_registry(session)
    wanted: dict[str, dict[Any, str]] = defaultdict(dict)
    for type_name, raw in refs:
        spec = registry.get(type_name)
        key = spec.key(raw) if spec is not None else None
        if key is not None:
            wanted[type_name][key] = str(raw)
    plugins = enabled_plugins(session, user) if user is not None and wanted else set()
    found: set[tuple[str, str]] = set()
    for type_name, keys in wanted.items():
        spec = registry.types[type_name]
        if user is not None and (
            (spec.plugin is not None and spec.plugin not in plugins)
            or scope_of(session, user, spec.read) is None
        ):
            continue
        ids = list(keys)
        present = set(session.scalars(sa.select(spec.id_column).where(spec.id_column.in_(ids))))
        if user is not None and spec.rule is not None:
            present &= set(spec.rule(session, user, spec.read, ids))
        found.update((type_name, keys[key]) for key in present)
    return found
