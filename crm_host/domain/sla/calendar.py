"""Business calendars: when work happens, and how much working time lies between instants.

A calendar is pure data (a time zone, weekly working hours, holidays and make-up
working days) plus arithmetic on it (:mod:`crm_host.domain.sla.business_time`). It never
touches the database; the SLA clock engine stores it as JSON through
:meth:`BusinessCalendar.to_dict` / :meth:`BusinessCalendar.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from crm_host.domain.sla.business_time import BusinessTime
from crm_host.domain.sla.business_time import (
    _to_utc as _to_utc,  # the clock engine imports it from here
)
from crm_host.domain.sla.calendar_fields import (
    _MIDNIGHT,
    WEEKDAY_NAMES,
    Interval,
    WeeklyHours,
    _check_timezone,
    _format_time,
    _parse_dates,
    _parse_hours,
    _parse_weekday,
)

__all__ = ["WEEKDAY_NAMES", "BusinessCalendar", "Interval", "WeeklyHours"]

_DICT_KEYS = frozenset({"timezone", "hours", "holidays", "workdays", "makeup_weekday"})


@dataclass(frozen=True)
class BusinessCalendar(BusinessTime):
    """Working hours in one time zone, with holidays and make-up working days.

    ``hours`` lists the working intervals of each weekday, Monday (0) to Sunday (6),
    as ``(start, end)`` pairs of naive :class:`~datetime.time`; an end of
    ``time(0)`` means 24:00. The constructor also accepts a mapping
    ``{weekday: intervals}`` (keys ``0``–``6`` or ``"mon"``–``"sun"``; missing days
    have no work) and ``"HH:MM"`` strings, and normalises them to the 7-tuple form.

    ``holidays`` are local dates without work. ``workdays`` are local dates worked
    although their weekday normally is not (China's 调休 make-up days); on such a day
    the hours of ``makeup_weekday`` apply (Monday by default).

    Invalid values raise :class:`ValueError` naming the field, e.g.
    ``hours.mon[1]: end 12:00 is not after start 13:30``.
    """

    timezone: str
    hours: WeeklyHours
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    makeup_weekday: int = 0

    def __post_init__(self) -> None:
        # Normalise in place: the dataclass is frozen so callers can share and hash it.
        _check_timezone(self.timezone)
        makeup = _parse_weekday(self.makeup_weekday, "makeup_weekday")
        hours = _parse_hours(self.hours)
        holidays = _parse_dates(self.holidays, "holidays")
        workdays = _parse_dates(self.workdays, "workdays")
        both = holidays & workdays
        if both:
            raise ValueError(
                f"holidays/workdays: {min(both).isoformat()} is listed as both a holiday "
                "and a make-up working day"
            )
        if workdays and not hours[makeup]:
            raise ValueError(
                f"makeup_weekday: {WEEKDAY_NAMES[makeup]!r} has no working hours, so the "
                "make-up working days in workdays would have none either"
            )
        object.__setattr__(self, "makeup_weekday", makeup)
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)

    # -- constructors and storage -------------------------------------------------

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24×7 calendar: every instant is working time."""
        return cls(timezone=timezone, hours=(((_MIDNIGHT, _MIDNIGHT),),) * 7)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build a calendar from its JSON form (see :meth:`to_dict`).

        ``timezone`` and ``hours`` are required; ``holidays``, ``workdays`` (lists of
        ``"YYYY-MM-DD"``) and ``makeup_weekday`` (``"mon"``–``"sun"``) are optional.
        Raises :class:`ValueError` naming the offending field and value.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"calendar: expected an object, got {type(data).__name__}")
        unknown = sorted(str(key) for key in data if key not in _DICT_KEYS)
        if unknown:
            raise ValueError(
                f"calendar: unknown field(s) {', '.join(unknown)}; "
                f"expected {', '.join(sorted(_DICT_KEYS))}"
            )
        for required in ("timezone", "hours"):
            if required not in data:
                raise ValueError(f"{required}: missing")
        hours = data["hours"]
        if not isinstance(hours, Mapping):
            raise ValueError(f"hours: expected an object keyed mon…sun, got {hours!r}")
        for key in hours:
            if key not in WEEKDAY_NAMES:
                raise ValueError(f"hours: unknown weekday {key!r}; expected one of mon…sun")
        for field_name in ("holidays", "workdays"):
            value = data.get(field_name, [])
            if not isinstance(value, list | tuple):
                raise ValueError(f"{field_name}: expected a list of dates, got {value!r}")
            for index, item in enumerate(value):
                # Only strings here: JSON has no dates, and a stray number must not pass.
                if not isinstance(item, str):
                    raise ValueError(f"{field_name}[{index}]: expected 'YYYY-MM-DD', got {item!r}")
        return cls(
            timezone=data["timezone"],
            hours=hours,  # type: ignore[arg-type]  # normalised by __post_init__
            holidays=data.get("holidays", []),  # type: ignore[arg-type]
            workdays=data.get("workdays", []),  # type: ignore[arg-type]
            makeup_weekday=data.get("makeup_weekday", 0),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form read back by :meth:`from_dict` (dates and times as strings)."""
        return {
            "timezone": self.timezone,
            "hours": {
                name: [[_format_time(start), _format_time(end, is_end=True)] for start, end in day]
                for name, day in zip(WEEKDAY_NAMES, self.hours, strict=True)
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "workdays": sorted(day.isoformat() for day in self.workdays),
            "makeup_weekday": WEEKDAY_NAMES[self.makeup_weekday],
        }
