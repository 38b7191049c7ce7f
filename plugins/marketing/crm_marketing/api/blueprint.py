"""The marketing API's blueprint, which every module of :mod:`crm_marketing.api` adds
its routes to, and what those routes share."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import User, get_host

blp = Blueprint("api", "crm_marketing.api", description="Segments, campaigns and RFM scores")


def current_session() -> Session:
    """The host's session of this request."""
    return get_host().session


def current_actor() -> User:
    """The signed-in user, for the services' audit records."""
    return current_user.user
