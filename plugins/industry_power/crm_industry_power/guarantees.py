"""Service guarantees: the utility's published commitments, tracked on the host's SLA
clock engine, with the credit owed to the customer when one is missed.

A guarantee type is ``within`` (done within N minutes / hours / days / working days of
the start: restore supply, answer a billing query) or ``before_event`` (done at least
N before an event: notice before a planned outage; an appointment window, whose
event is the window's end and lead 0).

Working days count in the type's business calendar: one working day is the working
time of a normal working day there (the hours of its make-up weekday, Monday unless
set), so "3 working days" from Thursday 15:00 in a 09:00–17:00 calendar ends the
third working day after at 15:00, skipping weekends and holidays. ``before_event``
leads are calendar time (an outage notice counts every day).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import (
    BusinessCalendar,
    Conflict,
    Customer,
    NotFound,
    User,
    ValidationFailed,
    audit,
    clocks,
    utcnow,
)
from crm_host.sdk import validation as check
from crm_industry_power import auditing
from crm_industry_power.models import (
    GUARANTEE_KINDS,
    GUARANTEE_UNITS,
    Account,
    Guarantee,
    GuaranteeType,
)

PLUGIN = auditing.PLUGIN
CLOCK_OBJECT = "power_guarantee"
CLOCK = "guarantee"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_TARGET = 100_000
MAX_CREDIT = Decimal("1000000")
_UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86_400}


def working_day(calendar: BusinessCalendar) -> timedelta:
    """The working time of a normal working day of ``calendar`` (its make-up weekday)."""
    seconds = 0
    for start, end in calendar.hours[calendar.makeup_weekday]:
        end_seconds = 86_400 if end == time(0) else end.hour * 3600 + end.minute * 60 + end.second
        seconds += end_seconds - (start.hour * 3600 + start.minute * 60 + start.second)
    return timedelta(seconds=seconds)


def target_of(kind: GuaranteeType, calendar: BusinessCalendar) -> timedelta:
    """The type's target as working time of its calendar."""
    if kind.target_unit == "working_days":
        return kind.target_value * working_day(calendar)
    return timedelta(seconds=kind.target_value * _UNIT_SECONDS[kind.target_unit])


def _check_calendar(session: Session, merged: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The type's calendar exists and, for a target in working days, has working hours."""
    calendar = merged.get("calendar")
    try:
        cal = BusinessCalendar.from_dict(clocks.calendar_row(session, calendar).definition)
    except (NotFound, TypeError):
        errors["calendar"] = [f"No business calendar named {calendar!r}."]
    else:
        if merged.get("target_unit") == "working_days" and not working_day(cal):
            errors["calendar"] = ["Its make-up weekday has no working hours to count days by."]


def save_type(
    session: Session, data: dict[str, Any], row: GuaranteeType | None = None
) -> GuaranteeType:
    """Create or change a guarantee type; every problem is named by its field."""
    merged = {
        **(
            {c.key: getattr(row, c.key) for c in GuaranteeType.__table__.columns}
            if row
            else {"calendar": clocks.ALWAYS, "currency": "CNY", "active": True}
        ),
        **data,
    }
    errors: dict[str, list[str]] = {}
    code = merged.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors["code"] = ["1–32 lowercase letters, digits or _, starting with a letter."]
    elif (row is None or code != row.code) and session.scalar(
        sa.select(GuaranteeType.id).where(GuaranteeType.code == code)
    ):
        raise Conflict(f"guarantee type {code} exists", details={"code": ["Taken."]})
    name = check.text(merged.get("name"), "name", errors, max_length=100, required=True)
    check.choice(merged.get("kind"), "kind", errors, GUARANTEE_KINDS, required=True)
    unit = check.choice(
        merged.get("target_unit"), "target_unit", errors, GUARANTEE_UNITS, required=True
    )
    if unit == "working_days" and merged.get("kind") == "before_event":
        errors["target_unit"] = ["A lead before an event is counted in calendar time."]
    value = merged.get("target_value")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TARGET:
        errors["target_value"] = [f"A whole number from 0 to {MAX_TARGET}."]
    calendar = merged.get("calendar")
    _check_calendar(session, merged, errors)
    # The credit owed on a breach, to the cent, below MAX_CREDIT.
    credit = check.money(
        merged.get("credit_amount"), "credit_amount", errors, maximum=MAX_CREDIT - check.CENT
    )
    currency = check.currency(merged.get("currency"), "currency", errors)
    check.fail_if(errors, "the guarantee type is not valid")
    before = auditing.snapshot(row) if row else None
    if row is None:
        row = GuaranteeType()
        session.add(row)
    row.code, row.name, row.kind = code, name, merged["kind"]
    row.target_value, row.target_unit = value, merged["target_unit"]
    row.calendar, row.currency, row.active = calendar, currency, bool(merged["active"])
    row.credit_amount = credit
    session.flush()
    auditing.saved(session, row, before)
    return row


def type_by_code(session: Session, code: str) -> GuaranteeType:
    """The guarantee type with this code, or 404."""
    row = session.scalar(sa.select(GuaranteeType).where(GuaranteeType.code == code))
    if row is None:
        raise NotFound(f"no guarantee type {code!r}")
    return row


def get_type(session: Session, type_id: int) -> GuaranteeType:
    """The guarantee type with this id, or 404."""
    row = session.get(GuaranteeType, type_id)
    if row is None:
        raise NotFound(f"no guarantee type with id {type_id}")
    return row


def _aware(value: Any, field: str, errors: dict[str, list[str]]) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[field] = ["A date and time with its offset."]
        return None
    return value.astimezone(UTC)


def start(
    session: Session,
    data: dict[str, Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> Guarantee:
    """Start a guarantee for a customer (``type``: a type code) and its clock."""
    errors: dict[str, list[str]] = {}
    kind = session.scalar(sa.select(GuaranteeType).where(GuaranteeType.code == data.get("type")))
    if kind is None or not kind.active:
        errors["type"] = [f"No active guarantee type {data.get('type')!r}."]
    customer_id = data.get("customer_id")
    account = None
    if data.get("account_id") is not None:
        account = session.get(Account, data["account_id"])
        if account is None:
            errors["account_id"] = [f"No account with id {data['account_id']}."]
        elif customer_id is None:
            customer_id = account.customer_id
        elif account.customer_id != customer_id:
            errors["account_id"] = ["The account belongs to another customer."]
    if customer_id is None or session.get(Customer, customer_id) is None:
        errors.setdefault("customer_id", [f"No customer with id {customer_id}."])
    started = _aware(data.get("started_at"), "started_at", errors) or now or utcnow()
    event = _aware(data.get("event_at"), "event_at", errors)
    if kind is not None and kind.kind == "before_event" and event is None:
        errors["event_at"] = ["Required: the event this guarantee is measured against."]
    reference = str(data.get("reference") or "").strip()
    if len(reference) > 200:
        errors["reference"] = ["At most 200 characters."]
    if errors:
        raise ValidationFailed("the guarantee cannot start", details=errors)
    assert kind is not None
    calendar = kind.calendar
    if kind.kind == "before_event":
        # Due a lead before the event: a clock whose target is the time left until then,
        # counted on the 24x7 calendar; a notice already too late is due at once.
        target = max(event - target_of(kind, BusinessCalendar.always()) - started, timedelta(0))
        calendar = clocks.ALWAYS
    else:
        cal = BusinessCalendar.from_dict(clocks.calendar_row(session, calendar).definition)
        target = target_of(kind, cal)
    row = Guarantee(
        type_id=kind.id,
        customer_id=customer_id,
        account_id=account.id if account else None,
        reference=reference,
        started_at=started,
        event_at=event,
        due_at=started,
        currency=kind.currency,
        created_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    clock = clocks.start_clock(
        session, CLOCK_OBJECT, row.id, CLOCK, target=target, calendar=calendar, at=started
    )
    row.due_at = clock.due_at
    audit.record(
        session,
        "start",
        Guarantee.__tablename__,
        row.id,
        after={"type": kind.code, "due_at": row.due_at},
        actor=actor,
        plugin=PLUGIN,
    )
    session.flush()
    return row


def get(session: Session, guarantee_id: int) -> Guarantee:
    """The guarantee with this id, or 404."""
    row = session.get(Guarantee, guarantee_id)
    if row is None:
        raise NotFound(f"no guarantee with id {guarantee_id}")
    return row


def met(
    session: Session, row: Guarantee, *, at: datetime | None = None, actor: User | None = None
) -> Guarantee:
    """The commitment was kept (supply restored, answer sent): stop the clock, once.

    Met after the due time, it stays breached; the breach check marks it if it had not.
    """
    if row.met_at is not None:
        raise Conflict(f"guarantee {row.id} was met already", details={"met_at": ["Set."]})
    at = at or utcnow()
    clocks.stop_clock(session, CLOCK_OBJECT, row.id, CLOCK, at=at)
    row.met_at = at
    audit.record(
        session,
        "met",
        Guarantee.__tablename__,
        row.id,
        after={"met_at": at},
        actor=actor,
        plugin=PLUGIN,
    )
    session.flush()
    return row


def check_breaches(session: Session, now: datetime | None = None) -> list[int]:
    """Mark guarantees whose clock ran out, each once, with the credit owed; returns them."""
    marked = []
    for clock in clocks.detect_breaches(session, now, object_type=CLOCK_OBJECT):
        row = session.get(Guarantee, int(clock.object_id))
        if row is None or row.breached_at is not None:
            continue
        kind = session.get(GuaranteeType, row.type_id)
        row.breached_at = clock.breached_at
        row.credit_owed, row.currency = kind.credit_amount, kind.currency
        audit.record(
            session,
            "breached",
            Guarantee.__tablename__,
            row.id,
            after={"credit_owed": row.credit_owed, "currency": row.currency},
            plugin=PLUGIN,
        )
        marked.append(row.id)
    session.flush()
    return marked


def listing(
    session: Session,
    *,
    customer_id: int | None = None,
    breached: bool | None = None,
    limit: int = 200,
) -> list[Guarantee]:
    """Guarantees, the soonest due first; ``breached`` filters on whether one was missed."""
    query = sa.select(Guarantee).order_by(Guarantee.due_at, Guarantee.id).limit(limit)
    if customer_id is not None:
        query = query.where(Guarantee.customer_id == customer_id)
    if breached is not None:
        query = query.where(
            Guarantee.breached_at.is_not(None) if breached else Guarantee.breached_at.is_(None)
        )
    return list(session.scalars(query))
