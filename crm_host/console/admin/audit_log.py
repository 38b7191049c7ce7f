"""The admin page of the audit log: who changed what, and when, newest first."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from crm_host.api.audit import AuditQuery
from crm_host.api.audit import search as audit_search
from crm_host.console._access import page
from crm_host.console.admin import bp
from crm_host.console.admin.common import filtered_page, status_code
from crm_host.core.host import get_host
from crm_host.core.models import AuditLog
from crm_host.core.objects.links import audit_links

AUDIT_FILTERS = ("actor", "object_type", "object_id", "action")


@bp.route("/audit")
@page("host.audit.manage")
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by actor, object and action."""
    filters, result, errors = filtered_page(AUDIT_FILTERS, AuditQuery(), audit_search, AuditLog)
    links = audit_links(get_host().session, current_user.user, result["items"])
    return render_template(
        "crm/admin/audit.html",
        entries=list(zip(result["items"], links, strict=True)),
        next_cursor=result["next_cursor"],
        filters=filters,
        errors=errors,
    ), status_code(errors)
