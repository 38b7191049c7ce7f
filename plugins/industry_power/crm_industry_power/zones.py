"""The company timezone: what a "day" of readings, curves and bills means."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The host owns the company's timezone; it is re-exported here for this pack's modules.
from crm_host.sdk import DEFAULT_TIMEZONE as DEFAULT
from crm_host.sdk import company_timezone

__all__ = ["DEFAULT", "company_timezone", "timezone_named"]


def timezone_named(name: str | None) -> ZoneInfo:
    """``name`` as a zone (the company's when empty); ``ValueError`` for an unknown one."""
    if not name:
        return company_timezone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None
