"""Importing interval readings: many meters in one file, every problem reported by line.

A file has the columns ``meter``, ``timestamp`` and ``value``; the caller declares the
interval (15, 30 or 60 minutes) and the unit — ``kWh``/``MWh``/``kvarh`` (energy over
the interval) or ``kW``/``MW``/``kvar`` (average demand over it), as an option or in
the value header (``value_MWh``) — because the numbers alone cannot tell them apart
(see :mod:`.units`). The timestamp is the **start** of the interval, either with an
offset (``2026-11-01T00:15:00+08:00``) or as a wall-clock time in the zone the import
names (the company's by default); each is filed under the company's day it falls in.
On a day the clocks go back, a wall-clock time that occurs twice is taken as the
first occurrence, then the second, in file order; one that does not exist (the
clocks jumped over it) is refused.

Rows that break a rule are reported with their physical line and skipped; the others
are stored. A reading over 3× the account's contracted capacity is stored and reported
as a notice (an overload), or refused when the account says ``refuse_overload``. Gaps (missing intervals between two readings of a meter) are reported at
the line of the reading after the gap. Storing is an upsert on meter and interval, so
importing the same file again changes nothing.
"""

from __future__ import annotations

from crm_industry_power.readings.importer import ReadingsImporter, import_file, import_records
from crm_industry_power.readings.options import (
    COLUMNS,
    UNITS,
    check_header,
    check_options,
    resolve_unit,
)
from crm_industry_power.readings.report import ImportReport, Problem
from crm_industry_power.readings.rows import parse_timestamp

__all__ = [
    "COLUMNS",
    "UNITS",
    "ImportReport",
    "Problem",
    "ReadingsImporter",
    "check_header",
    "check_options",
    "import_file",
    "import_records",
    "parse_timestamp",
    "resolve_unit",
]
