"""The SLA clock engine's pure core: business calendars and named clocks.

No database here: :class:`BusinessCalendar` answers "how much working time lies
between two instants, and when will so much have passed", and :class:`ClockState`
is one named clock (first response, resolution, …) that can be paused, resumed
and stopped. Persistence and scheduling build on these.
"""

from crm_host.domain.sla.calendar import WEEKDAY_NAMES, BusinessCalendar, Interval, WeeklyHours
from crm_host.domain.sla.clock import ClockState, ClockStatus

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "ClockState",
    "ClockStatus",
    "Interval",
    "WeeklyHours",
]
