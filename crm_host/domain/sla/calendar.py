"""Business calendars: when work happens, and how much working time lies between instants.

A calendar is pure data (a time zone, weekly working hours, holidays and make-up
working days) plus arithmetic on it. It never touches the database; the SLA clock
engine stores it as JSON through :meth:`BusinessCalendar.to_dict` /
:meth:`BusinessCalendar.from_dict`.

Wall-clock hours are turned into UTC instants one local day at a time, so a working
interval that contains a daylight-saving jump counts the real time that passes in it
(a night shift 00:00–06:00 lasts 5 hours on the spring-forward night and 7 on the
fall-back night). A wall time that does not exist on a given day (it falls in the
spring-forward gap) stands for the moment the clocks jump past it; an ambiguous wall
time (the repeated fall-back hour) means its first occurrence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["WEEKDAY_NAMES", "BusinessCalendar", "Interval", "WeeklyHours"]

#: Keys of the weekdays in :meth:`BusinessCalendar.to_dict`, Monday first (``date.weekday()``).
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: A working interval in local wall-clock time; an end of ``time(0)`` means 24:00.
Interval = tuple[time, time]
#: Working intervals for Monday (index 0) to Sunday (index 6).
WeeklyHours = tuple[tuple[Interval, ...], ...]

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0)
_DAY_SECONDS = 86_400
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DICT_KEYS = frozenset({"timezone", "hours", "holidays", "workdays", "makeup_weekday"})


@dataclass(frozen=True)
class BusinessCalendar:
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

    # -- queries ----------------------------------------------------------------

    def is_working_time(self, instant: datetime) -> bool:
        """Whether ``instant`` (timezone-aware) lies inside a working interval."""
        moment = _to_utc(instant, "instant")
        day = self._local_date(moment)
        # Neighbouring days too: a fall-back across midnight can put an instant with
        # local date D inside the intervals of D + 1.
        return any(
            start <= moment < end
            for offset in (-1, 0, 1)
            for start, end in self._utc_intervals(day + offset * _DAY)
        )

    def next_working_moment(self, instant: datetime) -> datetime:
        """The first working instant at or after ``instant``, in UTC.

        Returns ``instant`` itself (in UTC) when it is working time. Raises
        :class:`ValueError` when the calendar has no working time after it.
        """
        moment = _to_utc(instant, "instant")
        self._require_working_time(moment, "a working moment")
        day = self._local_date(moment) - _DAY
        while True:
            for start, end in self._utc_intervals(day):
                if end > moment:
                    return max(start, moment)
            day += _DAY

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC instant at which ``duration`` of working time has elapsed since ``start``.

        Counting begins at the next working moment when ``start`` is outside working
        hours. The result is the earliest such instant, so a duration that ends
        exactly at the end of a working interval returns that end (12:00), not the
        start of the next one (13:30); a zero duration returns ``start``. Raises
        :class:`ValueError` for a naive ``start``, a negative ``duration``, or a
        calendar that runs out of working time before ``duration`` is used up.
        """
        cursor = _to_utc(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"duration: must not be negative, got {duration}")
        remaining = duration
        if not remaining:
            return cursor
        self._require_working_time(cursor, f"{duration} of working time")
        # Working time never outruns real time, so a sentinel like timedelta.max fails
        # here at once instead of after a few hundred thousand skipped weeks.
        if duration > datetime.max.replace(tzinfo=UTC) - cursor:
            raise ValueError(self._past_9999(duration, cursor))
        day = self._local_date(cursor) - _DAY
        try:
            while True:
                week = self._whole_week(day, cursor)
                # Strictly greater: when the duration ends inside this week we need
                # the exact instant, which only the day-by-day walk gives.
                if week is not None and remaining > week:
                    remaining -= week
                    day += _WEEK
                    continue
                for span_start, span_end in self._utc_intervals(day):
                    span_start = max(span_start, cursor)
                    if span_end <= span_start:
                        continue
                    if remaining <= span_end - span_start:
                        return span_start + remaining
                    remaining -= span_end - span_start
                day += _DAY
        except OverflowError:
            raise ValueError(self._past_9999(duration, cursor)) from None

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; negative when ``end`` is before ``start``."""
        lower = _to_utc(start, "start")
        upper = _to_utc(end, "end")
        if upper < lower:
            return -self.business_time_between(upper, lower)
        total = timedelta(0)
        day = self._local_date(lower) - _DAY
        last = self._local_date(upper) + _DAY
        while day <= last:
            week = self._whole_week(day, lower, upper)
            if week is not None:
                total += week
                day += _WEEK
                continue
            for span_start, span_end in self._utc_intervals(day):
                overlap = min(span_end, upper) - max(span_start, lower)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total

    # -- internals --------------------------------------------------------------

    @staticmethod
    def _past_9999(duration: timedelta, start: datetime) -> str:
        return (
            f"duration: {duration} of working time from {start.isoformat()} runs past the year 9999"
        )

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _weekly_total(self) -> timedelta:
        """Working time of a week without holidays, make-up days or clock changes."""
        return sum((_length(span) for day in self.hours for span in day), timedelta(0))

    @cached_property
    def _special_dates(self) -> tuple[date, ...]:
        return tuple(sorted(self.holidays | self.workdays))

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self._zone).date()

    def _hours_on(self, day: date) -> tuple[Interval, ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.hours[self.makeup_weekday]
        return self.hours[day.weekday()]

    def _utc_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals of local ``day`` as UTC instants, in order."""
        for start, end in self._hours_on(day):
            utc_start = self._instant(day, start)
            utc_end = self._instant(day + _DAY if end == _MIDNIGHT else day, end)
            # Empty when both ends fall in the same spring-forward gap.
            if utc_end > utc_start:
                yield utc_start, utc_end

    def _instant(self, day: date, wall: time) -> datetime:
        """The first instant at which the local clock on ``day`` reads ``wall`` or later.

        That is the usual conversion, the first occurrence of an ambiguous time, and
        the moment of the jump for a time inside a spring-forward gap. Mapping gap
        times to the jump (rather than PEP 495's fold rules, which send them an hour
        either way) keeps the mapping monotonic, so intervals never overlap or invert.
        """
        naive = datetime.combine(day, wall)
        local = naive.replace(tzinfo=self._zone)
        moment = local.astimezone(UTC)
        if moment.astimezone(self._zone).replace(tzinfo=None) == naive:
            return moment
        other = local.replace(fold=1).astimezone(UTC)
        return self._transition(min(moment, other), max(moment, other))

    def _transition(self, before: datetime, after: datetime) -> datetime:
        """The instant in ``(before, after]`` at which the zone's UTC offset changes.

        tzdata transitions fall on whole seconds, so bisecting to one second is exact.
        """
        offset = before.astimezone(self._zone).utcoffset()
        while after - before > _SECOND:
            middle = before + (after - before) // _SECOND // 2 * _SECOND
            if middle.astimezone(self._zone).utcoffset() == offset:
                before = middle
            else:
                after = middle
        return after

    def _whole_week(
        self, day: date, not_before: datetime, not_after: datetime | None = None
    ) -> timedelta | None:
        """The working time of the seven local days from ``day``, if it can be skipped.

        A week can be skipped as a block when it has no holiday or make-up day, no
        change of UTC offset (so its working time is exactly the nominal weekly
        total), and lies wholly within ``[not_before, not_after]``. Otherwise None.
        """
        index = bisect.bisect_left(self._special_dates, day)
        if index < len(self._special_dates) and self._special_dates[index] < day + _WEEK:
            return None
        offsets = {
            datetime.combine(day + n * _DAY, _MIDNIGHT, tzinfo=self._zone).utcoffset()
            for n in range(8)
        }
        if len(offsets) != 1:
            return None
        if self._instant(day, _MIDNIGHT) < not_before:
            return None
        if not_after is not None and self._instant(day + _WEEK, _MIDNIGHT) > not_after:
            return None
        return self._weekly_total

    def _require_working_time(self, since: datetime, wanted: str) -> None:
        """Raise unless working time keeps coming after ``since``.

        Holidays are finite and make-up days need ``makeup_weekday`` to have hours, so
        a calendar runs out of working time exactly when no weekday has any; checking
        that up front is what keeps the searches from looping forever.
        """
        if not self._weekly_total:
            raise ValueError(
                f"hours: calendar ({self.timezone}) has no working hours on any weekday, "
                f"so {wanted} after {since.isoformat()} cannot be found"
            )


# -- validation and parsing helpers ---------------------------------------------


def _to_utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC; naive datetimes are rejected because their zone is a guess."""
    if not isinstance(value, datetime):
        raise ValueError(f"{field}: expected a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{field}: naive datetime {value.isoformat()} has no time zone; "
            "pass a timezone-aware datetime (timestamps are stored in UTC)"
        )
    return value.astimezone(UTC)


def _check_timezone(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"timezone: expected an IANA time zone name, got {name!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone: unknown IANA time zone {name!r}") from None


def _parse_weekday(value: object, field: str) -> int:
    if isinstance(value, str) and value in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(value)
    # bool is an int; True as "Tuesday" would be a silent surprise.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    raise ValueError(f"{field}: expected a weekday 0–6 or mon…sun, got {value!r}")


def _parse_hours(value: object) -> WeeklyHours:
    if isinstance(value, Mapping):
        days: list[object] = [() for _ in WEEKDAY_NAMES]
        for key, intervals in value.items():
            days[_parse_weekday(key, "hours")] = intervals
    elif isinstance(value, list | tuple) and len(value) == 7:
        days = list(value)
    else:
        raise ValueError(
            f"hours: expected a mapping of weekday to intervals or 7 lists, got {value!r}"
        )
    return tuple(
        _parse_day(intervals, f"hours.{name}")
        for name, intervals in zip(WEEKDAY_NAMES, days, strict=True)
    )


def _parse_day(value: object, field: str) -> tuple[Interval, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{field}: expected a list of [start, end] pairs, got {value!r}")
    intervals = [_parse_interval(item, f"{field}[{index}]") for index, item in enumerate(value)]
    intervals.sort(key=lambda span: _seconds(span[0]))
    for first, second in zip(intervals, intervals[1:], strict=False):
        if _end_seconds(first[1]) > _seconds(second[0]):
            raise ValueError(
                f"{field}: intervals {_format_interval(first)} and "
                f"{_format_interval(second)} overlap"
            )
    return tuple(intervals)


def _parse_interval(value: object, field: str) -> Interval:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"{field}: expected a [start, end] pair, got {value!r}")
    start = _parse_time(value[0], f"{field}.start", is_end=False)
    end = _parse_time(value[1], f"{field}.end", is_end=True)
    if _end_seconds(end) <= _seconds(start):
        raise ValueError(
            f"{field}: end {_format_time(end, is_end=True)} is not after "
            f"start {_format_time(start)}"
        )
    return start, end


def _parse_time(value: object, field: str, *, is_end: bool) -> time:
    if isinstance(value, time):
        # Whole seconds keep to_dict/from_dict lossless; an aware time has no meaning
        # here because the calendar's zone applies.
        if value.tzinfo is not None or value.microsecond:
            raise ValueError(f"{field}: expected a naive time in whole seconds, got {value!r}")
        return value
    match = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if is_end and (hour, minute, second) == (24, 0, 0):
            return _MIDNIGHT
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    allowed = "'HH:MM' or 'HH:MM:SS' (24:00 allowed)" if is_end else "'HH:MM' or 'HH:MM:SS'"
    raise ValueError(f"{field}: expected a time {allowed}, got {value!r}")


def _parse_dates(value: object, field: str) -> frozenset[date]:
    # A string is iterable too; "2024-10-01" must not become a set of characters.
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"{field}: expected a collection of dates, got {value!r}")
    return frozenset(_parse_date(item, f"{field}[{index}]") for index, item in enumerate(value))


def _parse_date(value: object, field: str) -> date:
    # datetime is a date subclass, but a holiday is a whole local day, not an instant.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{field}: expected a date 'YYYY-MM-DD', got {value!r}")


def _seconds(wall: time) -> int:
    return wall.hour * 3600 + wall.minute * 60 + wall.second


def _end_seconds(wall: time) -> int:
    return _seconds(wall) or _DAY_SECONDS


def _length(span: Interval) -> timedelta:
    return timedelta(seconds=_end_seconds(span[1]) - _seconds(span[0]))


def _format_time(wall: time, *, is_end: bool = False) -> str:
    if is_end and wall == _MIDNIGHT:
        return "24:00"
    return wall.strftime("%H:%M:%S" if wall.second else "%H:%M")


def _format_interval(span: Interval) -> str:
    return f"{_format_time(span[0])}–{_format_time(span[1], is_end=True)}"
