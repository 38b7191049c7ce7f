"""Monthly bills: a month's energy by time-of-use period × the tariff, plus the basic
charge on contracted capacity; contributed to the host as transactions.

A bill is computed from whatever readings the month has when it runs; running it
again (after late readings) replaces the figures of the same bill (one per account
and month).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, utcnow
from crm_industry_power.loadcurve import summarise
from crm_industry_power.models import Account, Bill
from crm_industry_power.storage import FIRST_YEAR, LAST_YEAR

CENTS = Decimal("0.01")
SOURCE = "power.bill"


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month`` (any day of it)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def parse_month(text: str) -> date:
    """``"2026-10"`` → 2026-10-01."""
    try:
        month = datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        month = None
    if month is None or not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValidationFailed(
            f"{text!r} is not a month", details={"month": ["A month as YYYY-MM."]}
        )
    return month


def compute(session: Session, account: Account, month: date, tz: ZoneInfo) -> Bill | None:
    """The account's bill for ``month`` (created or recomputed); ``None`` without a
    tariff or without readings that month."""
    if account.tariff is None:
        return None
    first, last = month_bounds(month)
    summary = summarise(session, account, first, last, tz)
    if summary.days == 0:
        return None
    tariff = account.tariff
    energy = {
        p: (summary.energy_by_period[p] * tariff.price(p)).quantize(CENTS, ROUND_HALF_UP)
        for p in ("peak", "flat", "valley")
    }
    energy_amount = sum(energy.values(), Decimal(0))
    capacity_amount = (
        (account.contracted_kva * tariff.capacity_price).quantize(CENTS, ROUND_HALF_UP)
        if tariff.capacity_price is not None
        else Decimal("0.00")
    )
    following = last + timedelta(days=1)
    issued = datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)
    bill = session.scalar(sa.select(Bill).where(Bill.account_id == account.id, Bill.month == first))
    if bill is None:
        bill = Bill(account_id=account.id, month=first)
        session.add(bill)
    bill.customer_id = account.customer_id
    bill.issued_at = issued
    bill.peak_kwh = summary.energy_by_period["peak"]
    bill.flat_kwh = summary.energy_by_period["flat"]
    bill.valley_kwh = summary.energy_by_period["valley"]
    bill.energy_amount = energy_amount
    bill.capacity_amount = capacity_amount
    bill.amount = energy_amount + capacity_amount
    bill.currency = tariff.currency
    bill.computed_at = utcnow()
    session.flush()
    return bill


def compute_all(session: Session, month: date, tz: ZoneInfo) -> int:
    """Bills of every account with a tariff for ``month``; how many were written."""
    written = 0
    for account in session.scalars(
        sa.select(Account).where(Account.tariff_id.is_not(None)).order_by(Account.id)
    ):
        if compute(session, account, month, tz) is not None:
            written += 1
    return written


def transaction_source() -> sa.Select[Any]:
    """Bills as host transactions: the six labelled columns analytics union."""
    return sa.select(
        Bill.customer_id.label("customer_id"),
        Bill.issued_at.label("occurred_at"),
        Bill.amount.label("amount"),
        Bill.currency.label("currency"),
        sa.literal(SOURCE).label("source"),
        (sa.literal("bill-") + sa.cast(Bill.id, sa.String)).label("ref"),
    )
