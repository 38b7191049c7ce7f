"""The power API's one blueprint, which the feature modules add their routes to.

It lives apart from :mod:`crm_industry_power.api`, which imports those modules, so that
no feature module imports the package that imports it.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from crm_host.sdk import get_host

blp = Blueprint(
    "api",
    "crm_industry_power.api",
    description="Accounts, meters, interval readings, load curves and advice",
)


def current_session() -> Session:
    """The request's database session."""
    return get_host().session
