"""The marketing console's blueprint, which every module of :mod:`crm_marketing.views`
adds its pages to, and what those pages share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy.orm import Session

from crm_host.sdk import get_host
from crm_host.sdk.web import allowed
from crm_marketing.i18n import translate

# The templates live beside this package, in crm_marketing/templates.
bp = Blueprint("console", "crm_marketing.views", template_folder="../templates")


@bp.context_processor
def _context() -> dict[str, Any]:
    extra: dict[str, Any] = {"allowed": allowed}
    # The host installs Flask-Babel's ``_`` in Jinja; an application built without it
    # still renders these pages, in English.
    if "babel" not in current_app.extensions:
        extra["_"] = translate
    return extra


def current_session() -> Session:
    """The host's session of this request."""
    return get_host().session
