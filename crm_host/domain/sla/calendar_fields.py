"""The fields of a business calendar: their types, and parsing and checking them.

:class:`~crm_host.domain.sla.calendar.BusinessCalendar` normalises what it is given through
these helpers, so every error names the offending field and value, e.g.
``hours.mon[1]: end 12:00 is not after start 13:30``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Keys of the weekdays in :meth:`BusinessCalendar.to_dict`, Monday first (``date.weekday()``).
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: A working interval in local wall-clock time; an end of ``time(0)`` means 24:00.
Interval = tuple[time, time]
#: Working intervals for Monday (index 0) to Sunday (index 6).
WeeklyHours = tuple[tuple[Interval, ...], ...]

_MIDNIGHT = time(0)
_DAY_SECONDS = 86_400
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
