"""The admin index: the sections the signed-in user may open."""

from __future__ import annotations

from typing import NamedTuple

from flask import render_template
from flask_babel import lazy_gettext as _l

from crm_host.console._access import allowed, page
from crm_host.console.admin import bp


class Section(NamedTuple):
    """An admin section on the index: where it is, what it is for, who may open it."""

    endpoint: str
    title: str
    description: str
    permission: str


SECTIONS = (
    Section("admin.plugins", _l("Plugins"), _l("Install plugins and enable them per department."), "host.plugins.manage"),
    Section("admin.departments", _l("Departments"), _l("The departments users belong to."), "host.users.manage"),
    Section("admin.users", _l("Users"), _l("Accounts, passwords and memberships."), "host.users.manage"),
    Section("admin.roles", _l("Roles"), _l("What each role may do, and where."), "host.roles.manage"),
    Section("admin.api_tokens", _l("API tokens"), _l("Tokens other systems use to call the API."), "host.tokens.manage"),
    Section("admin.fields", _l("Custom fields"), _l("Fields the company adds to customers."), "host.custom_fields.manage"),
    Section("admin.audit_log", _l("Audit log"), _l("Who changed what, and when."), "host.audit.manage"),
    Section("admin.jobs", _l("Jobs"), _l("Background work; retry what failed."), "host.jobs.manage"),
)  # fmt: skip


@bp.route("")
@page()
def index() -> str:
    """The admin sections the user may open."""
    sections = [s for s in SECTIONS if allowed(s.permission)]
    return render_template("crm/admin/index.html", sections=sections)
