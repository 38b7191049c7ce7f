"""Who may open a console page: one decorator, the same permission check as the API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import redirect, request, url_for
from flask_login import current_user

from crm_host.core.host import get_host
from crm_host.security.permissions import authorize, can, mark_access

F = TypeVar("F", bound=Callable[..., Any])


def page(
    permission: str | None = None, *, record: bool = False, public: bool = False
) -> Callable[[F], F]:
    """Decorate a console view: anonymous users go to the sign-in page and come back;
    a signed-in user without ``permission`` gets the 403 page naming it.

    Every console view says who may open it with this one decorator (API views use
    :func:`crm_host.security.permissions.require`). ``page()`` is any signed-in user. The record
    rule (may this user change *this* customer?) needs the object, so a view with
    ``record=True`` applies it itself, with ``authorize(..., check_record=True)`` on
    the object it loads; the flag only says so to readers and to the route checks.
    ``public=True`` is a page anybody may open, signed in or not (signing in and out,
    the language switch): nothing is checked.
    """
    if public and (permission is not None or record):
        raise ValueError("a public page checks no permission and no record rule")

    def decorate(view: F) -> F:
        if public:
            mark_access(view, "public")
            return view

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
            if permission is not None:
                authorize(get_host().session, current_user.user, permission)
            return view(*args, **kwargs)

        mark_access(wrapper, permission or "signed-in", record)
        return wrapper  # type: ignore[return-value]

    return decorate


def allowed(permission: str) -> bool:
    """Whether the signed-in user holds ``permission`` (to show or hide a button)."""
    if not current_user.is_authenticated:
        return False
    return can(get_host().session, current_user.user, permission)
