"""Who holds which permission, and how far: the scopes the object check asks for.

The object registry's access check (:mod:`crm_host.core.objects.access`) and search
need a user's scope for a permission; reading it from the roles in the database is
core work, so it sits here, below :mod:`crm_host.security.permissions`, which builds
the declared permissions, the record rules and the view guards on it.
"""

from __future__ import annotations

import enum
import fnmatch

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session

from crm_host.core.models import Membership, RolePermission, User
from crm_host.core.permission_registry import PermissionRegistry


class Scope(enum.IntEnum):
    """How far a granted permission reaches; a wider scope includes the narrower ones."""

    OWN = 1
    DEPARTMENT = 2
    ALL = 3


def registry(session: Session | None = None) -> PermissionRegistry:
    """The permission registry of the session's (or the current) application."""
    from crm_host.core.host import get_host, host_of

    return host_of(session).permissions if session is not None else get_host().permissions


#: Built once: SQLAlchemy keeps a statement's cache key, so each request only binds.
_GRANTS = (
    sa.select(RolePermission.permission, RolePermission.scope)
    .join(Membership, Membership.role_id == RolePermission.role_id)
    .where(Membership.user_id == sa.bindparam("user_id"))
)


def held_permissions(session: Session, user: User) -> dict[str, Scope]:
    """Every declared permission the user holds, with the widest scope granted.

    Role permissions are patterns resolved against the declared permissions; an API
    token's scopes narrow the result. Cached per request.
    """
    cache = g.setdefault("crm_permissions", {}) if has_request_context() else {}
    if user.id in cache:
        return cache[user.id]
    rows = session.execute(_GRANTS, {"user_id": user.id})
    names = registry(session)
    held: dict[str, Scope] = {}
    for pattern, scope in rows:
        for name in names.matching(pattern):
            held[name] = max(held.get(name, Scope.OWN), Scope[scope.upper()])
    token_scopes = g.get("crm_token_scopes") if has_request_context() else None
    if token_scopes is not None:
        held = {
            name: scope
            for name, scope in held.items()
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in token_scopes)
        }
    cache[user.id] = held
    return held


def scope_of(session: Session, user: User | None, permission: str) -> Scope | None:
    """The scope with which ``user`` holds ``permission``; ``None`` when not held.

    ``user=None`` is the system (CLI, jobs, schedules) and holds everything.
    """
    if user is None:
        return Scope.ALL
    if user.is_admin:
        token_scopes = g.get("crm_token_scopes") if has_request_context() else None
        if token_scopes is None or any(fnmatch.fnmatchcase(permission, p) for p in token_scopes):
            return Scope.ALL
        return None
    return held_permissions(session, user).get(permission)
