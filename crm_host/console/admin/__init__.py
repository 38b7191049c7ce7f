"""Admin pages of the console: plugins, departments, users and roles, tokens, custom
fields, the audit log and background jobs.

Like the rest of the console these pages hold no rules of their own: a form becomes
the payload the API's schema loads, the host's service does the work (and refuses
with per-field messages), and the same audit entries are written as through the API.

One blueprint, ``admin``, under ``/admin``; each module of this package adds the
routes of one page or page group to it when imported, so endpoint names stay
``admin.<view>`` (``admin.users``, ``admin.api_tokens``). The helpers the pages share
are in :mod:`crm_host.console.admin.common`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The page modules add their views to ``bp`` when imported, so they come after it, and
# in the order of the admin index, which is the order their rules join the URL map.
# (Importing one of them alone imports this package, and so ``bp``, first.)
# isort: off
from crm_host.console.admin import index, plugins, departments, users, roles  # noqa: E402
from crm_host.console.admin import tokens, fields, audit_log, jobs  # noqa: E402

# isort: on

__all__ = [
    "audit_log",
    "bp",
    "departments",
    "fields",
    "index",
    "jobs",
    "plugins",
    "roles",
    "tokens",
    "users",
]
