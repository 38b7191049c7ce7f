"""Importing interval readings: many meters in one file, every problem reported by line.

A file has the columns ``meter``, ``timestamp`` and ``value``; the caller declares the
interval (15, 30 or 60 minutes) and the unit — ``kWh`` (energy over the interval) or
``kW`` (average demand over it) — because the numbers alone cannot tell them apart.
The timestamp is the **start** of the interval, either with an offset
(``2026-11-01T00:15:00+08:00``) or as a wall-clock time in the company timezone.
On a day the clocks go back, a wall-clock time that occurs twice is taken as the
first occurrence, then the second, in file order; one that does not exist (the
clocks jumped over it) is refused.

Rows that break a rule are reported with their physical line and skipped; the others
are stored. Gaps (missing intervals between two readings of a meter) are reported at
the line of the reading after the gap. Storing is an upsert on meter and interval, so
importing the same file again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host import audit
from crm_host.db import utcnow
from crm_host.errors import ValidationFailed
from crm_host.importing.readers import ImportFileError, Record, read_records
from crm_host.importing.results import BatchResult, Reject
from crm_industry_power import auditing, storage
from crm_industry_power.models import Account, Meter, ReadingDay
from crm_industry_power.zones import timezone_named

COLUMNS = ("meter", "timestamp", "value")
UNITS = ("kWh", "kW")
#: A reading implying more demand than this many times the contracted capacity is not
#: physically possible on that connection (transformers carry brief overloads, not 3×).
MAX_OVERLOAD = 3
#: Day rows fetched and written per statement.
CHUNK = 500


@dataclass(frozen=True)
class Problem:
    """A row refused, or a gap noticed, at a physical line of the file."""

    line: int
    reason: str
    meter: str = ""

    @property
    def text(self) -> str:
        """The reason, after the meter it concerns when there is one."""
        return f"meter {self.meter}: {self.reason}" if self.meter else self.reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class ImportReport:
    """What an import did: readings new, changed or unchanged; refused rows; gaps."""

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejects: list[Problem] = field(default_factory=list)
    gaps: list[Problem] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Readings written (new or changed)."""
        return self.new + self.changed


@dataclass(frozen=True)
class _MeterInfo:
    id: int
    multiplier: Decimal
    max_kw: Decimal


@dataclass
class _Good:
    line: int
    meter: str
    meter_id: int
    moment: datetime
    mwh: int


def check_options(interval: int, unit: str) -> None:
    """Refuse an interval or unit the importer does not know (nothing is guessed)."""
    errors = {}
    if interval not in storage.INTERVALS:
        errors["interval"] = [f"One of {', '.join(map(str, storage.INTERVALS))} minutes."]
    if unit not in UNITS:
        errors["unit"] = ["kWh (interval energy) or kW (demand)."]
    if errors:
        raise ValidationFailed("say how the readings are measured", details=errors)


def check_header(columns: Iterable[str]) -> None:
    """Refuse a file without exactly the columns meter, timestamp and value."""
    columns = list(columns)
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(missing)}")
        if unknown:
            parts.append(f"has unknown {', '.join(unknown)}")
        raise ImportFileError(
            f"the header {' and '.join(parts)}; the columns are meter,timestamp,value"
        )


def import_file(
    session: Session, path: Path, *, interval: int, unit: str, tz: ZoneInfo, fmt: str | None = None
) -> ImportReport:
    """Import a readings file in one transaction; the caller commits. Raises
    ``ImportFileError`` for a file that cannot be read at all and ``ValidationFailed``
    for bad options. Big files go through the host's import job instead
    (``crm import industry_power.readings FILE -o interval=15 -o unit=kWh``): batches
    that each commit, resumable after a crash, on any queue backend."""
    check_options(interval, unit)
    header, records = read_records(path, fmt)
    check_header(header)
    return import_records(session, records, interval=interval, unit=unit, tz=tz)


def import_records(
    session: Session, records: Iterable[Record], *, interval: int, unit: str, tz: ZoneInfo
) -> ImportReport:
    """Validate and store ``records`` as one batch; see the module's docstring for the rules."""
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    return importer.import_report(session, list(records))


class ReadingsImporter:
    """Readings as an importer of the host's import job (``industry_power.readings``).

    The job reads the file and hands over batches; what spans batches — the meters
    looked up, the intervals seen (duplicates), the clocks-go-back folds and each
    meter's latest reading (gaps) — is kept here, and rebuilt by :meth:`remember` when
    an import resumes after a crash. A gap is found between a meter's readings of one
    batch, and between its latest reading of the batches before and its earliest of
    this one: a file in meter and time order — as meters export them — has every gap
    reported once; in a file out of time order, a gap spanning two batches whose
    readings go back in time is not seen.
    """

    OPTIONS = ("interval", "unit", "timezone")

    @staticmethod
    def check_header(session: Session, columns: Iterable[str]) -> None:
        """Refuse a header other than meter, timestamp, value."""
        check_header(columns)

    @classmethod
    def check_options(cls, session: Session, options: dict[str, Any]) -> dict[str, Any]:
        """The interval (minutes), unit and optional timezone, checked; nothing is guessed."""
        errors: dict[str, list[str]] = {
            name: [f"Unknown option; the options are {', '.join(cls.OPTIONS)}."]
            for name in options
            if name not in cls.OPTIONS
        }
        raw_interval = str(options.get("interval") or "").strip()
        try:
            interval = int(raw_interval)
        except ValueError:
            interval = 0
        unit = str(options.get("unit") or "").strip()
        zone = str(options.get("timezone") or "").strip() or None
        try:
            check_options(interval, unit)
        except ValidationFailed as error:
            errors.update(error.details)
        try:
            timezone_named(zone)
        except ValueError as error:
            errors["timezone"] = [str(error)]
        if errors:
            raise ValidationFailed("say how the readings are measured", details=errors)
        return {"interval": interval, "unit": unit, "timezone": zone}

    def __init__(
        self,
        session: Session,
        *,
        interval: int,
        unit: str,
        timezone: str | None = None,
        tz: ZoneInfo | None = None,
    ) -> None:
        check_options(interval, unit)
        self.interval, self.unit = interval, unit
        self.tz = tz or timezone_named(timezone)
        self.meters: dict[str, _MeterInfo | None] = {}
        self.seen: dict[tuple[int, datetime], int] = {}
        self.folds: dict[tuple[int, datetime], int] = defaultdict(int)
        #: Each meter's latest good reading in the batches so far.
        self.latest: dict[int, _Good] = {}
        self.now = utcnow()
        self._session = session

    def remember(self, records: Iterable[Record]) -> None:
        """Check the records of the batches already committed, storing nothing, so that
        duplicates, folds and gaps are judged as if the import had never stopped."""
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) >= CHUNK:
                self._check(self._session, batch)
                batch = []
        self._check(self._session, batch)

    def import_batch(self, session: Session, records: list[Record]) -> BatchResult:
        """Check and store one batch; the host keeps its refused rows and gap notices."""
        report = self.import_report(session, records)
        raw = {record.line: record.raw for record in records}
        return BatchResult(
            created_count=report.new,
            updated_count=report.changed,
            unchanged=report.unchanged,
            rejects=[Reject(p.line, p.text, raw.get(p.line)) for p in report.rejects],
            notices=[Reject(p.line, p.text) for p in report.gaps],
        )

    def import_report(self, session: Session, records: list[Record]) -> ImportReport:
        """Check and store one batch, with one audit entry for it; the caller commits."""
        report, good = self._check(session, records)
        _store(session, good, self.interval, self.tz, report)
        report.rejects.sort(key=lambda p: p.line)
        # One entry a batch, as for every bulk write.
        audit.record(
            session,
            "import",
            ReadingDay.__tablename__,
            None,
            after={
                "interval": self.interval,
                "unit": self.unit,
                "rows": report.rows,
                "new": report.new,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "refused": len(report.rejects),
            },
            plugin=auditing.PLUGIN,
            row_count=report.stored,
        )
        return report

    def _check(self, session: Session, records: list[Record]) -> tuple[ImportReport, list[_Good]]:
        report = ImportReport()
        good: list[_Good] = []
        for record in records:
            report.rows += 1
            if record.error:
                report.rejects.append(Problem(record.line, record.error))
                continue
            number = str(record.values.get("meter") or "").strip()
            problem = _check_row(
                session,
                record,
                number,
                self.meters,
                self.interval,
                self.unit,
                self.tz,
                self.seen,
                self.folds,
                self.now,
            )
            if isinstance(problem, str):
                report.rejects.append(Problem(record.line, problem, number))
            else:
                good.append(problem)
        report.gaps = _gaps(good, self.interval, self.latest)
        return report, good


def _meter(session: Session, number: str, cache: dict[str, _MeterInfo | None]) -> _MeterInfo | None:
    if number not in cache:
        row = session.execute(
            sa.select(Meter.id, Meter.multiplier, Account.contracted_kva)
            .join(Account, Account.id == Meter.account_id)
            .where(Meter.number == number)
        ).first()
        cache[number] = (
            _MeterInfo(row.id, Decimal(row.multiplier), Decimal(row.contracted_kva) * MAX_OVERLOAD)
            if row
            else None
        )
    return cache[number]


def parse_timestamp(
    text: str,
    tz: ZoneInfo,
    fold_of: dict[tuple[int, datetime], int] | None = None,
    meter_id: int = 0,
) -> datetime:
    """The UTC instant of a file's timestamp; ``ValueError`` saying why it is not one."""
    text = text.strip().replace("/", "-")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"timestamp {text!r} is not a date and time (2026-11-01 00:15)") from None
    if not storage.FIRST_YEAR <= moment.year <= storage.LAST_YEAR:
        # Converting year 1 or 9999 between zones overflows; no meter reads then anyway.
        raise ValueError(f"timestamp {text!r} is out of range")
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    local = moment.replace(tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
        raise ValueError(f"{text} does not exist in {tz.key} (the clocks jump over it)")
    if local.replace(fold=1).utcoffset() != local.utcoffset() and fold_of is not None:
        # Clocks going back: the same wall-clock time twice, taken in file order.
        key = (meter_id, moment)
        fold = fold_of[key]
        fold_of[key] += 1
        if fold > 1:
            raise ValueError(f"{text} occurs only twice in {tz.key}, and this is a third time")
        local = local.replace(fold=fold)
    return local.astimezone(UTC)


def _check_row(
    session: Session,
    record: Record,
    number: str,
    meters: dict[str, _MeterInfo | None],
    interval: int,
    unit: str,
    tz: ZoneInfo,
    seen: dict[tuple[int, datetime], int],
    folds: dict[tuple[int, datetime], int],
    now: datetime,
) -> _Good | str:
    if not number:
        return "meter: Required."
    meter = _meter(session, number, meters)
    if meter is None:
        return f"unknown meter {number}"
    try:
        moment = parse_timestamp(str(record.values.get("timestamp") or ""), tz, folds, meter.id)
    except ValueError as error:
        return str(error)
    local = moment.astimezone(tz)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % interval:
        return f"{local:%Y-%m-%d %H:%M:%S} is not on a {interval}-minute boundary"
    if moment > now:
        return f"{local:%Y-%m-%d %H:%M} is in the future"
    raw = str(record.values.get("value") or "").strip()
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return f"value {raw!r} is not a number" if raw else "value: Required."
    if not value.is_finite():
        return f"value {raw} is not a number"
    if value < 0:
        return f"negative value {raw}"
    kwh = value if unit == "kWh" else value * interval / 60
    kwh *= meter.multiplier
    demand = kwh * 60 / interval
    if demand > meter.max_kw:
        return (
            f"impossible value {raw} {unit}: {demand:.1f} kW is over {MAX_OVERLOAD}× "
            f"the contracted capacity ({meter.max_kw / MAX_OVERLOAD:.0f} kVA)"
        )
    key = (meter.id, moment)
    if key in seen:
        return f"duplicate of line {seen[key]} ({local:%Y-%m-%d %H:%M})"
    seen[key] = record.line
    mwh = int((kwh * 1000 * 1000).to_integral_value(ROUND_HALF_EVEN))
    return _Good(record.line, number, meter.id, moment, mwh)


def _gaps(
    good: list[_Good], interval: int, latest: dict[int, _Good] | None = None
) -> list[Problem]:
    """Missing intervals between a meter's readings, at the line of the one after the gap.

    ``latest`` holds each meter's latest reading of earlier batches; it is checked
    against this batch's earliest when that comes after it, and moved on.
    """
    step = timedelta(minutes=interval)
    latest = {} if latest is None else latest
    by_meter: dict[int, list[_Good]] = defaultdict(list)
    for reading in good:
        by_meter[reading.meter_id].append(reading)
    gaps = []
    for meter_id, readings in by_meter.items():
        readings.sort(key=lambda r: r.moment)
        before_batch = latest.get(meter_id)
        if before_batch is not None and before_batch.moment < readings[0].moment:
            readings.insert(0, before_batch)
        for before, after in zip(readings, readings[1:], strict=False):
            missing = int((after.moment - before.moment) / step) - 1
            if missing > 0:
                gaps.append(
                    Problem(
                        after.line,
                        f"gap: {missing} interval(s) missing after "
                        f"{before.moment.isoformat()} (line {before.line})",
                        after.meter,
                    )
                )
        if before_batch is None or readings[-1].moment > before_batch.moment:
            latest[meter_id] = readings[-1]
    return sorted(gaps, key=lambda p: p.line)


def _store(
    session: Session, good: list[_Good], interval: int, tz: ZoneInfo, report: ImportReport
) -> None:
    """Merge the readings into their day rows: insert new days, update changed ones."""
    days: dict[tuple[int, date], list[tuple[int, _Good]]] = defaultdict(list)
    for reading in good:
        day, slot = storage.slot_of(reading.moment, tz, interval)
        days[(reading.meter_id, day)].append((slot, reading))
    keys = sorted(days)
    table = ReadingDay.__table__
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        # Row values in IN: PostgreSQL, and SQLite since 3.15.
        existing = {
            (row.meter_id, row.day): row
            for row in session.execute(
                sa.select(
                    ReadingDay.meter_id,
                    ReadingDay.day,
                    ReadingDay.interval_minutes,
                    ReadingDay.values,
                ).where(sa.tuple_(ReadingDay.meter_id, ReadingDay.day).in_(chunk))
            )
        }
        inserts, updates = [], []
        now = utcnow()
        for key in chunk:
            row = existing.get(key)
            if row is not None and row.interval_minutes != interval:
                for _slot, reading in days[key]:
                    report.rejects.append(
                        Problem(
                            reading.line,
                            f"{key[1]} is stored as {row.interval_minutes}-minute readings, "
                            f"not {interval}-minute",
                            reading.meter,
                        )
                    )
                continue
            values = storage.unpack(row.values) if row else storage.empty_day(key[1], tz, interval)
            before = list(values)
            for slot, reading in days[key]:
                old = values[slot]
                if old == storage.MISSING:
                    report.new += 1
                elif old != reading.mwh:
                    report.changed += 1
                else:
                    report.unchanged += 1
                values[slot] = reading.mwh
            if row is None:
                inserts.append(
                    {
                        "meter_id": key[0],
                        "day": key[1],
                        "interval_minutes": interval,
                        "values": storage.pack(values),
                        "updated_at": now,
                    }
                )
            elif values != before:
                updates.append({"m": key[0], "d": key[1], "v": storage.pack(values), "u": now})
        if inserts:
            session.execute(sa.insert(table), inserts)
        if updates:
            session.execute(
                sa.update(table)
                .where(table.c.meter_id == sa.bindparam("m"), table.c.day == sa.bindparam("d"))
                .values(values=sa.bindparam("v"), updated_at=sa.bindparam("u")),
                updates,
            )
