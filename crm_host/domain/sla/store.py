"""SLA clocks in the database: start, pause, resume, stop and breach detection for any object.

The arithmetic is :mod:`crm_host.domain.sla.clock`'s; this module keeps its state per
(object type, object id, clock name), with ``due_at`` stored so that finding
overdue clocks is an index range scan. Breaches are claimed by compare-and-set,
so two schedulers running at once still report each breach exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import Conflict, NotFound, ValidationFailed
from crm_host.core.models.sla import SlaCalendar, SlaClock
from crm_host.domain.sla import BusinessCalendar, ClockState

ALWAYS = "24x7"


def save_calendar(session: Session, name: str, calendar: BusinessCalendar) -> SlaCalendar:
    """Create or replace a named calendar."""
    if not name.strip() or len(name) > 100:
        raise ValidationFailed("a calendar needs a name", details={"name": ["1–100 characters."]})
    row = session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == name))
    if row is None:
        row = SlaCalendar(name=name, definition=calendar.to_dict())
        session.add(row)
    else:
        row.definition = calendar.to_dict()
    session.flush()
    return row


def calendar_row(session: Session, name: str) -> SlaCalendar:
    """The calendar row with this name; ``24x7`` in UTC exists on first use."""
    row = session.scalar(sa.select(SlaCalendar).where(SlaCalendar.name == name))
    if row is None and name == ALWAYS:
        return save_calendar(session, ALWAYS, BusinessCalendar.always())
    if row is None:
        raise NotFound(f"no business calendar named {name!r}")
    return row


def _state(row: SlaClock, calendar: BusinessCalendar) -> ClockState:
    return ClockState(
        name=row.name,
        target=timedelta(seconds=row.target_seconds),
        calendar=calendar,
        started_at=row.started_at,
        resumed_at=row.resumed_at,
        consumed=timedelta(seconds=row.consumed_seconds),
        paused_at=row.paused_at,
        stopped_at=row.stopped_at,
        reached_at=row.reached_at,
    )


def _store(row: SlaClock, state: ClockState) -> None:
    row.resumed_at = state.resumed_at
    row.consumed_seconds = state.consumed.total_seconds()
    row.paused_at, row.stopped_at, row.reached_at = (
        state.paused_at,
        state.stopped_at,
        state.reached_at,
    )
    # A clock stopped in time has no due time any more; one stopped late keeps the due
    # time it passed, so the breach check still reports it (once) if it had not run.
    row.due_at = state.due_at()


def _row(session: Session, object_type: str, object_id: Any, name: str) -> SlaClock:
    row = session.scalar(
        sa.select(SlaClock).where(
            SlaClock.object_type == object_type,
            SlaClock.object_id == str(object_id),
            SlaClock.name == name,
        )
    )
    if row is None:
        raise NotFound(f"{object_type} {object_id} has no clock {name!r}")
    return row


def calendar_of(session: Session, row: SlaClock) -> BusinessCalendar:
    """The business calendar a clock counts in."""
    return BusinessCalendar.from_dict(session.get(SlaCalendar, row.calendar_id).definition)


def start_clock(
    session: Session,
    object_type: str,
    object_id: Any,
    name: str,
    *,
    target: timedelta,
    calendar: str = ALWAYS,
    at: datetime | None = None,
) -> SlaClock:
    """Start clock ``name`` of an object; a second start of the same clock is a conflict."""
    cal_row = calendar_row(session, calendar)
    state = ClockState.start(
        name, target, BusinessCalendar.from_dict(cal_row.definition), at or utcnow()
    )
    try:
        _row(session, object_type, object_id, name)
    except NotFound:
        pass
    else:
        raise Conflict(f"{object_type} {object_id} already has a clock {name!r}")
    row = SlaClock(
        object_type=object_type,
        object_id=str(object_id),
        name=name,
        calendar_id=cal_row.id,
        target_seconds=int(target.total_seconds()),
        started_at=state.started_at,
        resumed_at=state.resumed_at,
    )
    _store(row, state)
    session.add(row)
    session.flush()
    return row


def _change(
    session: Session, object_type: str, object_id: Any, name: str, action: str, at: datetime | None
) -> SlaClock:
    row = _row(session, object_type, object_id, name)
    state = _state(row, calendar_of(session, row))
    try:
        state = getattr(state, action)(at or utcnow())
    except ValueError as error:
        raise Conflict(f"clock {name!r} of {object_type} {object_id}: {error}") from error
    _store(row, state)
    session.flush()
    return row


def pause_clock(
    session: Session, object_type: str, object_id: Any, name: str, at: datetime | None = None
) -> SlaClock:
    """Pause a running clock (waiting on the customer, say)."""
    return _change(session, object_type, object_id, name, "pause", at)


def resume_clock(
    session: Session, object_type: str, object_id: Any, name: str, at: datetime | None = None
) -> SlaClock:
    """Resume a paused clock; its due time moves by the business time it was paused."""
    return _change(session, object_type, object_id, name, "resume", at)


def stop_clock(
    session: Session, object_type: str, object_id: Any, name: str, at: datetime | None = None
) -> SlaClock:
    """Stop a clock for good (the response was given, the ticket resolved)."""
    return _change(session, object_type, object_id, name, "stop", at)


def clock_state(session: Session, object_type: str, object_id: Any, name: str) -> ClockState:
    """The clock's state, for due and remaining times."""
    row = _row(session, object_type, object_id, name)
    return _state(row, calendar_of(session, row))


def detect_breaches(
    session: Session, now: datetime | None = None, object_type: str | None = None
) -> list[SlaClock]:
    """Mark clocks that passed their due time, each exactly once; returns those newly marked.

    The owning plugin turns them into its own events (``crm_service_sla_breached``).
    """
    now = now or utcnow()
    query = sa.select(SlaClock.id).where(
        SlaClock.breached_at.is_(None), SlaClock.due_at.is_not(None), SlaClock.due_at <= now
    )
    if object_type is not None:
        query = query.where(SlaClock.object_type == object_type)
    marked = []
    for clock_id in session.scalars(query).all():
        claimed = session.execute(
            sa.update(SlaClock)
            .where(SlaClock.id == clock_id, SlaClock.breached_at.is_(None))
            .values(breached_at=now)
        ).rowcount
        if claimed == 1:
            marked.append(session.get(SlaClock, clock_id))
    return marked
