"""Service levels for accounts: key (重点), important (重要) or ordinary (普通).

From what the utility knows of the connection and its use over the last 365 days:

* **key** — supplied at 35 kV or more, or contracted capacity of at least
  ``KEY_KVA`` (1,000 kVA), or at least ``KEY_KWH`` (5,000,000 kWh) a year;
* **important** — large-industry or commercial with at least ``IMPORTANT_KVA``
  (315 kVA, the threshold of two-part tariffs), or at least ``IMPORTANT_KWH``
  (500,000 kWh) a year;
* **ordinary** — everyone else (households, small shops, farms).

The first rule that matches gives the level and names itself as the reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import utcnow
from crm_industry_power.loadcurve import summarise
from crm_industry_power.models import VOLTAGE_LEVELS, Account, ServiceClass

KEY_KVA = Decimal(1000)
KEY_KWH = Decimal(5_000_000)
IMPORTANT_KVA = Decimal(315)
IMPORTANT_KWH = Decimal(500_000)
HIGH_VOLTAGE = VOLTAGE_LEVELS[VOLTAGE_LEVELS.index("35kV") :]


def level_of(account: Account, annual_kwh: Decimal) -> tuple[str, str]:
    """The level and the rule that gave it."""
    if account.voltage_level in HIGH_VOLTAGE:
        return "key", "high_voltage"
    if account.contracted_kva >= KEY_KVA:
        return "key", "capacity"
    if annual_kwh >= KEY_KWH:
        return "key", "consumption"
    if (
        account.category in ("large_industry", "commercial")
        and account.contracted_kva >= IMPORTANT_KVA
    ):
        return "important", "capacity"
    if annual_kwh >= IMPORTANT_KWH:
        return "important", "consumption"
    return "ordinary", "default"


def assess(session: Session, account: Account, today: date, tz: ZoneInfo) -> ServiceClass:
    """The account's level from the 365 days before ``today``, as an unsaved row."""
    first, last = today - timedelta(days=365), today - timedelta(days=1)
    energy = summarise(session, account, first, last, tz).energy_kwh
    level, reason = level_of(account, energy)
    return ServiceClass(account_id=account.id, level=level, reason=reason, annual_kwh=energy)


def classify(session: Session, account: Account, today: date, tz: ZoneInfo) -> ServiceClass:
    """(Re)compute and store the account's level from the 365 days before ``today``."""
    fresh = assess(session, account, today, tz)
    row = session.get(ServiceClass, account.id)
    if row is None:
        row = ServiceClass(account_id=account.id)
        session.add(row)
    row.level, row.reason, row.annual_kwh = fresh.level, fresh.reason, fresh.annual_kwh
    row.computed_at = utcnow()
    session.flush()
    return row


def classify_all(session: Session, today: date, tz: ZoneInfo) -> dict[str, int]:
    """Every account's level; returns how many accounts are at each."""
    counts = dict.fromkeys(("key", "important", "ordinary"), 0)
    for account in session.scalars(sa.select(Account).order_by(Account.id)):
        counts[classify(session, account, today, tz).level] += 1
    return counts
