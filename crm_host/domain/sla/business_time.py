"""Business-time arithmetic on a calendar: working moments, durations, spans.

Wall-clock hours are turned into UTC instants one local day at a time, so a working
interval that contains a daylight-saving jump counts the real time that passes in it
(a night shift 00:00–06:00 lasts 5 hours on the spring-forward night and 7 on the
fall-back night). A wall time that does not exist on a given day (it falls in the
spring-forward gap) stands for the moment the clocks jump past it; an ambiguous wall
time (the repeated fall-back hour) means its first occurrence.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from crm_host.domain.sla.calendar_fields import _MIDNIGHT, Interval, WeeklyHours, _length

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_SECOND = timedelta(seconds=1)


class BusinessTime:
    """The queries of :class:`~crm_host.domain.sla.calendar.BusinessCalendar` on working time.

    A mixin: the calendar dataclass supplies the fields below, already normalised.
    """

    timezone: str
    hours: WeeklyHours
    holidays: frozenset[date]
    workdays: frozenset[date]
    makeup_weekday: int

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
