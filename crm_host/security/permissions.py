"""Permissions and record rules: the one check used by the API, the console, the CLI and jobs.

A permission is named ``<owner>.<object>.<action>`` (``host.customers.write``,
``sales.opportunities.read``) and declared by its owner through
``crm_register_permissions``. Roles hold permissions, each with a *scope* — the
record rule: ``own`` (objects the user owns), ``department`` (objects of the
user's departments) or ``all``. A user holds the union of the roles they have in
their departments; administrators hold every permission with scope ``all``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Session

from crm_host.core.errors import Forbidden
from crm_host.core.models import User
from crm_host.core.permission_registry import Permission as Permission
from crm_host.core.permission_registry import PermissionRegistry as PermissionRegistry
from crm_host.core.scopes import Scope, scope_of

# Read through the old path crm_host.permissions by plugins written before the SDK.
from crm_host.core.scopes import held_permissions as held_permissions
from crm_host.core.scopes import registry as registry
from crm_host.core.sensitive import REVEAL_PERMISSION

F = TypeVar("F", bound=Callable[..., Any])


#: The host's own permissions. ``.manage`` permissions are administrative: the
#: patterns of the standard roles (``*.read``, ``*.write``…) never reach them.
HOST_PERMISSIONS = [
    Permission("host.customers.read", "See customers, contacts, addresses and the timeline"),
    Permission("host.customers.write", "Create and change customers", record_rules=True),
    Permission("host.customers.delete", "Archive customers", record_rules=True),
    Permission("host.customers.merge", "Merge duplicate customers"),
    Permission("host.customers.import", "Import and export customers"),
    Permission("host.customers.privacy", "Export or erase a customer's personal data"),
    Permission("host.customers.reveal", "See phone and ID numbers in full, not masked"),
    Permission("host.attachments.read", "See and download attachments"),
    Permission("host.attachments.write", "Attach and remove files"),
    Permission("host.directory.read", "See departments, users and roles"),
    Permission("host.users.manage", "Create users, grant roles and departments"),
    Permission("host.roles.manage", "Define roles and their permissions"),
    Permission("host.plugins.manage", "Install and enable plugins"),
    Permission("host.custom_fields.manage", "Define custom fields"),
    Permission("host.audit.manage", "Search the audit log"),
    Permission("host.tokens.manage", "Manage anybody's API tokens"),
]

#: The roles every company starts with: name → (label, [(pattern, scope)]).
STANDARD_ROLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "manager": (
        "Manager",
        [
            ("*.read", "all"),
            ("*.write", "all"),
            ("*.delete", "all"),
            ("*.merge", "all"),
            ("*.import", "all"),
            ("host.customers.reveal", "all"),
        ],
    ),
    "agent": (
        "Agent",
        [("*.read", "all"), ("*.write", "department"), ("host.customers.reveal", "all")],
    ),
    "viewer": ("Viewer", [("*.read", "all")]),
}


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


def _refuse_anonymous() -> None:
    from flask_login import current_user

    from crm_host.core.errors import Unauthorized

    if not current_user.is_authenticated:
        if g.get("crm_bad_token"):
            raise Unauthorized("The bearer token is unknown, expired or revoked.")
        raise Unauthorized("Sign in first.")


def mark_access(view: Callable[..., Any], access: str, record: bool = False) -> None:
    """Record on a view what access it promises (read by the permission-matrix harness)."""
    # Read by the permission-matrix harness (crm_host.testing.matrix) to know what each
    # route promises; a route without a mark is reported as unguarded.
    view.crm_access = access  # type: ignore[attr-defined]
    view.crm_record_rule = record  # type: ignore[attr-defined]


def require(permission: str, *, record: bool = False) -> Callable[[F], F]:
    """Decorate a view: 401 without a signed-in user, 403 naming ``permission`` without it.

    ``record=True`` tells readers (and the matrix harness) that the view also applies
    the record rule to the object it works on, with :func:`authorize`.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask_login import current_user

            from crm_host.core.host import get_host

            _refuse_anonymous()
            authorize(get_host().session, current_user.user, permission)
            return view(*args, **kwargs)

        mark_access(wrapper, permission, record)
        return wrapper  # type: ignore[return-value]

    return decorate


def signed_in_may_reveal() -> bool:
    """Whether the request's signed-in user holds ``host.customers.reveal``: the check
    behind :func:`crm_host.core.sensitive.may_reveal`, installed by the app factory."""
    from flask_login import current_user

    from crm_host.core.host import get_host

    user = getattr(current_user, "user", None) if current_user else None
    return user is not None and can(get_host().session, user, REVEAL_PERMISSION)


def signed_in(view: F) -> F:
    """Decorate a view any signed-in user may use (their own things: profile, tokens)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _refuse_anonymous()
        return view(*args, **kwargs)

    mark_access(wrapper, "signed-in")
    return wrapper  # type: ignore[return-value]


def public(view: F) -> F:
    """Decorate a view anybody may use (signing in, signed links)."""
    mark_access(view, "public")
    return view
