"""One named SLA clock as pure data: start, pause, resume, stop, and what it shows.

A :class:`ClockState` is immutable; every transition returns a new state, so the
caller decides when and how to persist it. An object with several clocks (first
response, resolution, …) simply holds several states; nothing here links them.

Working time counts only while the clock runs, measured by the clock's
:class:`~crm_host.domain.sla.calendar.BusinessCalendar`. The bookkeeping is one number,
``consumed``: the working time of the running stretches already closed by a pause
or stop. The open stretch is measured from ``resumed_at`` when asked, so no
history of pauses has to be kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from crm_host.domain.sla.calendar import BusinessCalendar, _to_utc

__all__ = ["ClockState", "ClockStatus"]


class ClockStatus(StrEnum):
    """Where a clock is in its life; stored as its string value."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ClockState:
    """The state of one named SLA clock.

    ``target`` is the working time allowed. ``resumed_at`` is the start of the
    current (or last) running stretch — ``started_at`` until the first resume —
    and ``consumed`` the working time of the stretches before it. ``paused_at`` is
    None unless the clock is paused; ``stopped_at`` is None until it is stopped.
    ``reached_at`` is the instant the target was used up, once a pause or stop has
    closed the stretch in which that happened. All instants are UTC.

    The deadline is :meth:`due_at`. :meth:`is_breached` judges the deadline itself,
    so a clock due Friday 17:30 is breached on Saturday although :meth:`remaining`
    stays at zero until work resumes on Monday.
    """

    name: str
    target: timedelta
    calendar: BusinessCalendar
    started_at: datetime
    resumed_at: datetime
    consumed: timedelta = timedelta(0)
    paused_at: datetime | None = None
    stopped_at: datetime | None = None
    reached_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name: expected a non-empty clock name, got {self.name!r}")
        if self.target < timedelta(0):
            raise ValueError(f"target: clock {self.name!r} got a negative target {self.target}")
        if self.consumed < timedelta(0):
            raise ValueError(f"consumed: clock {self.name!r} got a negative {self.consumed}")
        for field in ("started_at", "resumed_at", "paused_at", "stopped_at", "reached_at"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, _to_utc(value, field))

    # -- transitions ------------------------------------------------------------

    @classmethod
    def start(
        cls, name: str, target: timedelta, calendar: BusinessCalendar, at: datetime
    ) -> ClockState:
        """A clock named ``name`` running from ``at`` towards ``target`` of working time."""
        started = _to_utc(at, "at")
        return cls(
            name=name, target=target, calendar=calendar, started_at=started, resumed_at=started
        )

    def pause(self, at: datetime) -> ClockState:
        """The clock paused at ``at``; raises ValueError unless it is running."""
        if self.status is not ClockStatus.RUNNING:
            raise ValueError(
                f"clock {self.name!r} cannot be paused: it is {self._describe_status()}"
            )
        moment = self._checked(at, "pause")
        consumed, reached = self._close_stretch(moment)
        return replace(self, consumed=consumed, reached_at=reached, paused_at=moment)

    def resume(self, at: datetime) -> ClockState:
        """The clock running again from ``at``; raises ValueError unless it is paused."""
        if self.status is not ClockStatus.PAUSED:
            raise ValueError(
                f"clock {self.name!r} cannot be resumed: it is {self._describe_status()}"
            )
        moment = self._checked(at, "resume")
        return replace(self, resumed_at=moment, paused_at=None)

    def stop(self, at: datetime) -> ClockState:
        """The clock stopped for good at ``at`` (running or paused); a stopped one raises."""
        if self.status is ClockStatus.STOPPED:
            raise ValueError(
                f"clock {self.name!r} cannot be stopped: it is {self._describe_status()}"
            )
        moment = self._checked(at, "stop")
        if self.status is ClockStatus.PAUSED:
            return replace(self, stopped_at=moment)
        consumed, reached = self._close_stretch(moment)
        return replace(self, consumed=consumed, reached_at=reached, stopped_at=moment)

    # -- readings ---------------------------------------------------------------

    @property
    def status(self) -> ClockStatus:
        """Running, paused or stopped (a clock stopped while paused reads stopped)."""
        if self.stopped_at is not None:
            return ClockStatus.STOPPED
        if self.paused_at is not None:
            return ClockStatus.PAUSED
        return ClockStatus.RUNNING

    def elapsed(self, at: datetime) -> timedelta:
        """Working time counted up to ``at``, while running only."""
        moment = self._checked(at, "read")
        if self.status is ClockStatus.RUNNING:
            return self.consumed + self.calendar.business_time_between(self.resumed_at, moment)
        return self.consumed

    def remaining(self, at: datetime) -> timedelta:
        """``target`` minus :meth:`elapsed`; negative when overdue."""
        return self.target - self.elapsed(at)

    def due_at(self) -> datetime | None:
        """The instant the target is (or was) reached, given the pauses so far.

        None while paused (the deadline moves until the clock resumes) and for a clock
        stopped before reaching its target.
        """
        if self.status is ClockStatus.PAUSED:
            return None
        if self.reached_at is not None or self.status is ClockStatus.STOPPED:
            return self.reached_at
        return self.calendar.add_business_time(self.resumed_at, self.target - self.consumed)

    def is_breached(self, at: datetime) -> bool:
        """Whether the deadline passed while the clock was counting, as seen at ``at``.

        Reaching the target exactly at a pause or stop is not a breach; any counted
        instant after it is.
        """
        moment = self._checked(at, "read")
        if self.status is ClockStatus.RUNNING:
            deadline, counted_until = self.due_at(), moment
        else:
            # Paused or stopped: nothing after that change counts.
            deadline, counted_until = self.reached_at, self._last_change()
        return deadline is not None and deadline < counted_until

    # -- internals --------------------------------------------------------------

    def _close_stretch(self, until: datetime) -> tuple[timedelta, datetime | None]:
        """``consumed`` and ``reached_at`` after counting the running stretch up to ``until``."""
        consumed = self.consumed + self.calendar.business_time_between(self.resumed_at, until)
        reached = self.reached_at
        if reached is None and consumed >= self.target:
            # The target ran out inside this stretch; remember where, because after a
            # pause the stretch is gone and due_at must still name the real instant.
            left = max(self.target - self.consumed, timedelta(0))
            reached = self.calendar.add_business_time(self.resumed_at, left)
        return consumed, reached

    def _last_change(self) -> datetime:
        return self.stopped_at or self.paused_at or self.resumed_at

    def _checked(self, at: datetime, action: str) -> datetime:
        """``at`` in UTC, refused when it precedes the clock's last change.

        The state keeps no history, so it cannot answer for (or rewrite) the past.
        """
        moment = _to_utc(at, "at")
        last = self._last_change()
        if moment < last:
            raise ValueError(
                f"at: cannot {action} clock {self.name!r} at {moment.isoformat()}, "
                f"before its last change at {last.isoformat()}"
            )
        return moment

    def _describe_status(self) -> str:
        since = self._last_change().isoformat()
        if self.status is ClockStatus.PAUSED:
            return f"already paused since {since}"
        if self.status is ClockStatus.STOPPED:
            return f"already stopped since {since}"
        return f"running since {since}"
