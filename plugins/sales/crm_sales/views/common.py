"""The blueprint every module of the sales console adds its pages to, and the form
helpers they share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request

from crm_host.sdk import CrmError, get_host

bp = Blueprint("console", __name__, template_folder="../templates")


def form_fields() -> dict[str, Any]:
    """The posted fields, blanks left out (an empty input means "not given")."""
    return {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}


def refuse(error: CrmError) -> None:
    """Undo the request's writes and show why at the top of the next page."""
    get_host().session.rollback()
    details = "; ".join(
        f"{f}: {' '.join(m)}" for f, m in error.details.items() if f != "permission"
    )
    flash(error.message + (f" ({details})" if details else ""), "error")
