"""The blueprint every module of the sales API adds its routes to, and what they share:
the session, the signed-in user and the record rule on leads and opportunities."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import User, get_host
from crm_sales import records
from crm_sales.models import Lead, Opportunity

blp = Blueprint("api", "crm_sales.api", description="Leads, opportunities, pipeline and orders")


def current_session() -> Session:
    """The session of this request."""
    return get_host().session


def current_actor() -> User:
    """The signed-in user."""
    return current_user.user


def check_record(obj: Lead | Opportunity, permission: str) -> None:
    """Refuse unless the record rule of ``permission`` lets the user at ``obj``."""
    records.check(current_session(), current_actor(), obj, permission)


def visible(model: type[Lead] | type[Opportunity], permission: str) -> sa.ColumnElement[bool]:
    """The rows of ``model`` the record rule of ``permission`` lets the user see."""
    return records.visible(current_session(), current_actor(), model, permission)
