"""Permissions and record rules: the one check used by the API, the console, the CLI and jobs.

A permission is named ``<owner>.<object>.<action>`` (``host.customers.write``,
``sales.opportunities.read``) and declared by its owner through
``crm_register_permissions``. Roles hold permissions, each with a *scope* — the
record rule: ``own`` (objects the user owns), ``department`` (objects of the
user's departments) or ``all``. A user holds the union of the roles they have in
their departments; administrators hold every permission with scope ``all``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session

from crm_host.errors import Forbidden
from crm_host.models import Membership, RolePermission, User

F = TypeVar("F", bound=Callable[..., Any])


class Scope(enum.IntEnum):
    """How far a granted permission reaches; a wider scope includes the narrower ones."""

    OWN = 1
    DEPARTMENT = 2
    ALL = 3


@dataclass(frozen=True)
class Permission:
    """A permission a plugin (or the host) declares."""

    name: str
    label: str
    #: Whether record rules apply (the object has an owner and departments).
    record_rules: bool = False


def held_permissions(session: Session, user: User) -> dict[str, Scope]:
    """Every permission the user holds, with the widest scope granted; cached per request."""
    cache = g.setdefault("crm_permissions", {}) if has_request_context() else {}
    if user.id in cache:
        return cache[user.id]
    rows = session.execute(
        sa.select(RolePermission.permission, RolePermission.scope)
        .join(Membership, Membership.role_id == RolePermission.role_id)
        .where(Membership.user_id == user.id)
    )
    held: dict[str, Scope] = {}
    for permission, scope in rows:
        held[permission] = max(held.get(permission, Scope.OWN), Scope[scope.upper()])
    cache[user.id] = held
    return held


def scope_of(session: Session, user: User | None, permission: str) -> Scope | None:
    """The scope with which ``user`` holds ``permission``; ``None`` when not held.

    ``user=None`` is the system (CLI, jobs, schedules) and holds everything.
    """
    if user is None or user.is_admin:
        return Scope.ALL
    return held_permissions(session, user).get(permission)


def can(
    session: Session,
    user: User | None,
    permission: str,
    *,
    owner_id: int | None = None,
    department_ids: Iterable[int] = (),
) -> bool:
    """Whether ``user`` may use ``permission`` on an object with this owner and departments.

    Without object details only holding the permission at any scope is checked.
    """
    scope = scope_of(session, user, permission)
    if scope is None:
        return False
    if scope is Scope.ALL or user is None:
        return True
    if scope is Scope.DEPARTMENT and set(department_ids) & user.department_ids:
        return True
    return owner_id is not None and owner_id == user.id


def authorize(
    session: Session,
    user: User | None,
    permission: str,
    *,
    owner_id: int | None = None,
    department_ids: Iterable[int] = (),
    check_record: bool = False,
) -> None:
    """Raise :class:`Forbidden` naming the permission unless ``user`` may use it.

    With ``check_record`` the record rule is applied to the given owner and departments.
    """
    if check_record:
        allowed = can(session, user, permission, owner_id=owner_id, department_ids=department_ids)
    else:
        allowed = scope_of(session, user, permission) is not None
    if not allowed:
        raise Forbidden(
            f"You need the permission {permission}"
            + (" for this record" if check_record else "")
            + ".",
            details={"permission": [permission]},
        )


def record_filter(
    session: Session,
    user: User | None,
    permission: str,
    *,
    owner_column: sa.ColumnElement[Any] | None,
    department_ids_of: Callable[[set[int]], sa.ColumnElement[bool]] | None,
) -> sa.ColumnElement[bool]:
    """A WHERE clause limiting a query to the records ``user`` may see under ``permission``.

    ``department_ids_of(ids)`` builds the condition "the record belongs to one of
    these departments" for the object at hand.
    """
    scope = scope_of(session, user, permission)
    if scope is None:
        return sa.false()
    if scope is Scope.ALL or user is None:
        return sa.true()
    conditions = []
    if owner_column is not None:
        conditions.append(owner_column == user.id)
    if scope is Scope.DEPARTMENT and department_ids_of is not None and user.department_ids:
        conditions.append(department_ids_of(user.department_ids))
    return sa.or_(*conditions) if conditions else sa.false()


def require(permission: str) -> Callable[[F], F]:
    """Decorate a view: 401 without a signed-in user, 403 naming ``permission`` without it."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask_login import current_user

            from crm_host.errors import Unauthorized
            from crm_host.host import get_host

            if not current_user.is_authenticated:
                raise Unauthorized("Sign in first.")
            authorize(get_host().session, current_user.user, permission)
            return view(*args, **kwargs)

        wrapper.crm_permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
