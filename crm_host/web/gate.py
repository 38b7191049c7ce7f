"""The department gate: users see the plugins enabled for the union of their departments.

Only what users *see* is scoped — routes, menus, panels, KPIs. Guards, events,
commands and data hooks always reach every installed plugin.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crm_host.core.host import get_host
from crm_host.core.models import Department, Membership, PluginEnablement, User
from crm_host.records import audit


def user_departments(user: User) -> list[Department]:
    """The departments the user belongs to, cached for the request."""
    cache = g.setdefault("crm_user_departments", {})
    if user.id not in cache:
        session = get_host().session
        cache[user.id] = list(
            session.scalars(
                sa.select(Department)
                .join(Membership, Membership.department_id == Department.id)
                .where(Membership.user_id == user.id)
                .order_by(Department.name)
            )
        )
    return cache[user.id]


def enabled_plugins(user: User) -> set[str]:
    """Names of the loaded plugins enabled for at least one of the user's departments."""
    cache = g.setdefault("crm_enabled_plugins", {})
    if user.id not in cache:
        session = get_host().session
        names = session.scalars(
            sa.select(PluginEnablement.plugin_name)
            .join(Membership, Membership.department_id == PluginEnablement.department_id)
            .where(Membership.user_id == user.id)
            .distinct()
        )
        loaded = {p.name for p in get_host().plugins.loaded}
        cache[user.id] = set(names) & loaded
    return cache[user.id]


def departments_with(plugin_name: str) -> list[str]:
    """Names of the departments for which a plugin is enabled."""
    session = get_host().session
    return list(
        session.scalars(
            sa.select(Department.name)
            .join(PluginEnablement, PluginEnablement.department_id == Department.id)
            .where(PluginEnablement.plugin_name == plugin_name)
            .order_by(Department.name)
        )
    )


def refusal_message(plugin_name: str, user: User) -> str:
    """Explain why a user may not reach a plugin, naming the plugin and the departments."""
    label = get_host().plugins.manifest(plugin_name).label
    having = departments_with(plugin_name)
    mine = [d.name for d in user_departments(user)]
    where = ", ".join(having) if having else "no department"
    yours = ", ".join(mine) if mine else "no department"
    return (
        f"The {label} plugin ({plugin_name}) is enabled for {where}; "
        f"your departments ({yours}) do not have it."
    )


def make_gate(plugin_name: str, *, api: bool) -> Any:
    """A ``before_request`` function admitting only users whose departments have the plugin."""

    def gate() -> Any:
        if not current_user.is_authenticated:
            if api:
                return jsonify(code=401, message="Sign in first."), 401
            return redirect(url_for("console.login", next=request.full_path))
        if plugin_name in enabled_plugins(current_user):
            return None
        message = refusal_message(plugin_name, current_user)
        audit.record_denied(get_host().session, message, plugin=plugin_name)
        if api:
            return jsonify(code=403, message=message, plugin=plugin_name), 403
        return render_template("crm/error.html", code=403, message=message), 403

    gate.__name__ = f"crm_gate_{plugin_name}"
    return gate
