"""The company's timezone: what "today" and "a day" mean for dates users type.

Stored moments are UTC; a date without a time — a quote's last valid day, a day of
meter readings, a bill's month — is a day in the company's timezone, the host's
``TIMEZONE`` setting (``crm init --timezone``).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from crm_host.core.db import utcnow

#: The zone outside an application (scripts, some tests): the default of ``crm init``.
DEFAULT = "Asia/Shanghai"


def company_timezone() -> ZoneInfo:
    """The application's ``TIMEZONE``, or :data:`DEFAULT` outside an app."""
    name = current_app.config.get("TIMEZONE", DEFAULT) if has_app_context() else DEFAULT
    return ZoneInfo(name)


def company_today() -> date:
    """Today's date in the company's timezone."""
    return utcnow().astimezone(company_timezone()).date()
