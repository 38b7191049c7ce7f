"""The company timezone: what a "day" of readings, curves and bills means."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT = "Asia/Shanghai"


def company_timezone() -> ZoneInfo:
    """The application's ``TIMEZONE`` (the host's setting), Asia/Shanghai outside an app."""
    name = current_app.config.get("TIMEZONE", DEFAULT) if has_app_context() else DEFAULT
    return ZoneInfo(name)


def timezone_named(name: str | None) -> ZoneInfo:
    """``name`` as a zone (the company's when empty); ``ValueError`` for an unknown one."""
    if not name:
        return company_timezone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None
