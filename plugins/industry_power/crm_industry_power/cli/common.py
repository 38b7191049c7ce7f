"""What the power commands share: finding an account, reading a day option, printing a figure."""

from __future__ import annotations

from datetime import date, datetime

import click
import sqlalchemy as sa

from crm_host.sdk import get_host, utcnow
from crm_industry_power.models import Account
from crm_industry_power.storage import FIRST_YEAR, LAST_YEAR
from crm_industry_power.zones import company_timezone


def account_by_number(number: str) -> Account:
    """The account with this number, or a click error naming it."""
    account = get_host().session.scalar(sa.select(Account).where(Account.number == number))
    if account is None:
        raise click.ClickException(f"no account {number}")
    return account


def parse_day(value: str | None) -> date:
    """A ``YYYY-MM-DD`` option in the readings' years; ``None``: today in the company zone."""
    if value is None:
        return utcnow().astimezone(company_timezone()).date()
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise click.BadParameter(f"{value} is out of range ({FIRST_YEAR}–{LAST_YEAR})")
    return day


def fmt(value: float | None, digits: int = 3) -> str:
    """A figure to ``digits`` places, ``-`` when there is none."""
    return "-" if value is None else f"{value:.{digits}f}"
