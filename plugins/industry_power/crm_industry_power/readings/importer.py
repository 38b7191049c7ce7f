"""The readings importer: a file or the host's import job's batches checked as arrays,
the unusual rows one by one, and the good readings stored."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from crm_host.sdk import ValidationFailed, audit, utcnow
from crm_host.sdk.customers import BatchResult, Record, Reject, detect_format, read_records
from crm_industry_power import auditing, storage
from crm_industry_power.models import ReadingDay
from crm_industry_power.readings import columns as readings_columns
from crm_industry_power.readings import order
from crm_industry_power.readings import rows as row_checks
from crm_industry_power.readings.options import check_header, check_options
from crm_industry_power.readings.report import ImportReport, Problem
from crm_industry_power.readings.rows import Good, MeterInfo
from crm_industry_power.readings.store import Readings, store
from crm_industry_power.zones import company_timezone, timezone_named

#: Day rows fetched and written per statement.
CHUNK = 500
#: The offset stored for a day whose UTC offset changes (or that is not in the file).
NOT_UNIFORM = np.iinfo(np.int64).min + 1
_LARGEST = 2**62
EPOCH = date(1970, 1, 1)


def import_file(
    session: Session, path: Path, *, interval: int, unit: str, tz: ZoneInfo, fmt: str | None = None
) -> ImportReport:
    """Import a readings file in one transaction; the caller commits. Raises
    ``ImportFileError`` for a file that cannot be read at all and ``ValidationFailed``
    for bad options. Big files go through the host's import job instead
    (``crm import industry_power.readings FILE -o interval=15 -o unit=kWh``): batches
    that each commit, resumable after a crash, on any queue backend."""
    check_options(interval, unit)
    # A plain CSV file is read straight into arrays, without a record a row.
    data = readings_columns.plain_csv(path) if (fmt or detect_format(path)) == "csv" else None
    header, records = read_records(path, fmt, "utf-8-sig" if data is not None else None)
    check_header(header)
    if data is None:
        return import_records(session, records, interval=interval, unit=unit, tz=tz)
    records.close()
    columns = readings_columns.read_csv(data, header)
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    importer.single_batch = True
    return importer.import_report(session, columns)


def import_records(
    session: Session, records: Iterable[Record], *, interval: int, unit: str, tz: ZoneInfo
) -> ImportReport:
    """Validate and store ``records`` as one batch; see the module's docstring for the rules."""
    importer = ReadingsImporter(session, interval=interval, unit=unit, tz=tz)
    importer.single_batch = True
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
        #: The zone the file's wall-clock times are read in (``--timezone``) …
        self.tz = tz or timezone_named(timezone)
        #: … and the zone whose days the readings are filed under, as every reader reads
        #: them. A timestamp is converted once, file zone → UTC → company day and slot.
        self.company = company_timezone()
        self.meters: dict[str, MeterInfo | None] = {}
        #: The line of every interval read so far, by meter id and UTC start (seconds).
        self.seen: dict[tuple[int, int], int] = {}
        self.folds: dict[tuple[int, datetime], int] = defaultdict(int)
        #: Each meter's latest good reading in the batches so far: UTC start (seconds), line.
        self.latest: dict[int, tuple[int, int]] = {}
        #: Meter numbers by id, for the texts of problems.
        self.numbers: dict[int, str] = {}
        #: Set when no batch follows, so the intervals seen need not be kept.
        self.single_batch = False
        self.now = utcnow()
        self._day_offsets: dict[tuple[str, int], int] = {}
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

    def import_report(
        self, session: Session, records: list[Record] | readings_columns.Columns
    ) -> ImportReport:
        """Check and store one batch (records, or a file's columns), with one audit entry
        for it; the caller commits."""
        if isinstance(records, readings_columns.Columns):
            report, good = self._check_columns(session, records)
        else:
            report, good = self._check(session, records)
        outcome = store(session, good, self.interval, self.company, self._is_uniform)
        report.new, report.changed, report.unchanged = (
            outcome.new,
            outcome.changed,
            outcome.unchanged,
        )
        for position, text in outcome.refused:
            meter = self.numbers[int(good.meter_id[position])]
            report.rejects.append(Problem(int(good.line[position]), text, meter))
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

    def _check(self, session: Session, records: list[Record]) -> tuple[ImportReport, Readings]:
        return self._check_columns(session, readings_columns.from_records(records))

    def _check_columns(
        self, session: Session, columns: readings_columns.Columns
    ) -> tuple[ImportReport, Readings]:
        """Every row of ``columns`` judged: rejects and gaps in the report, and the
        good readings sorted by meter and time.

        Plain rows are judged with array operations; a row they cannot clear — an
        unusual text, a daylight-saving day, a value refused for any reason — is judged
        again by :func:`check_row`, which gives every refusal its text, so a row gets
        the same verdict either way. Duplicates and gaps are found over both at once.
        """
        report = ImportReport(rows=columns.rows)
        fast, numbers, slow = self._check_plain(session, columns, report)
        slow.extend(columns.others)
        slow.sort(key=lambda record: record.line)
        goods: list[Good] = []
        for record in slow:
            if record.error:
                report.rejects.append(Problem(record.line, record.error))
                continue
            number = str(record.values.get("meter") or "").strip()
            verdict = row_checks.check_row(
                session,
                record,
                number,
                self.meters,
                self.interval,
                self.unit,
                self.tz,
                self.folds,
                self.now,
            )
            if not isinstance(verdict, str):
                verdict = self._placed(verdict)
            if isinstance(verdict, str):
                report.rejects.append(Problem(record.line, verdict, number))
            else:
                goods.append(verdict)
                numbers[verdict.meter_id] = verdict.meter
        good = order.dedupe(
            Readings.join([fast, self._readings_of(goods)]),
            numbers,
            report,
            seen=self.seen,
            tz=self.tz,
            remember=not self.single_batch,
        )
        report.gaps = order.find_gaps(good, numbers, self.latest, self.interval * 60)
        report.rejects.sort(key=lambda p: p.line)
        self.numbers.update(numbers)
        return report, good

    def _check_plain(
        self, session: Session, columns: readings_columns.Columns, report: ImportReport
    ) -> tuple[Readings, dict[int, str], list[Record]]:
        """The plain rows that pass every rule, as readings; the rows to check one by one."""
        codes, names = columns.meter, columns.names
        infos = [row_checks.meter_info(session, name, self.meters) for name in names]
        numbers = {info.id: name for info, name in zip(infos, names, strict=True) if info}
        # Per distinct meter, and a last entry for rows whose meter field is not plain.
        known = np.array([info is not None for info in infos] + [True])
        meter_ids = np.array([info.id if info else 0 for info in infos] + [0], dtype=np.int64)
        terms = [self._fast_terms(info) for info in infos] + [(0, -1)]
        scaled = np.array([term[0] for term in terms], dtype=np.int64)
        limits = np.array([term[1] for term in terms], dtype=np.int64)
        unknown = ~known[codes]
        for index in np.flatnonzero(unknown):
            name = names[codes[index]]
            report.rejects.append(Problem(int(columns.line[index]), f"unknown meter {name}", name))
        ok = columns.plain_time & columns.plain_value
        day, second, micro = columns.day, columns.second, columns.micro
        ok &= ~unknown & (limits[codes] >= 0)
        low, offsets = self._offsets(day[ok])
        offset = offsets[np.clip(day - low, 0, len(offsets) - 1)]
        moment = day * 86_400 + second - offset
        ok &= (offset != NOT_UNIFORM) & (day >= low) & (day < low + len(offsets))
        ok &= (second % (self.interval * 60) == 0) & (moment <= self.now.timestamp())
        ok &= micro <= limits[codes]
        filed_day, filed_second, filed = self._company_places(moment, day, second, ok)
        ok &= filed
        # mWh = round-half-even(value in millionths × multiplier in thousandths × F / D).
        factor, divisor = (1, 1000) if self.unit == "kWh" else (self.interval, 60_000)
        numerator = micro * scaled[codes] * factor
        quotient, remainder = np.divmod(numerator, divisor)
        up = (2 * remainder > divisor) | ((2 * remainder == divisor) & (quotient % 2 == 1))
        rows = np.flatnonzero(ok)
        fast = Readings(
            columns.line[rows],
            meter_ids[codes[rows]],
            moment[rows],
            (quotient + up)[rows],
            filed_day[rows],
            filed_second[rows] // (self.interval * 60),
        )
        slow = [columns.record(int(i)) for i in np.flatnonzero(~ok & ~unknown)]
        return fast, numbers, slow

    def _company_places(
        self, moment: np.ndarray, day: np.ndarray, second: np.ndarray, ok: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The company day and second of day of every UTC ``moment`` (``day``: its day in
        the file's zone), and which of them are plain: on a company day of one UTC
        offset and on the company's interval grid. The others go one by one."""
        if self.company.key == self.tz.key:
            return day, second, ok
        offset = self._offset_table(day, ok, self.company)
        known = ok & (offset != NOT_UNIFORM)
        local = np.where(known, moment + offset, 0)
        filed_day = local // 86_400
        # Plain only when the company day found has the offset used to find it.
        again = self._offset_table(filed_day, known, self.company)
        plain = known & (again == offset)
        plain &= (local % 86_400) % (self.interval * 60) == 0
        return filed_day, local - filed_day * 86_400, plain

    def _offset_table(self, days: np.ndarray, ok: np.ndarray, tz: ZoneInfo) -> np.ndarray:
        """The UTC offset in ``tz`` of every day of ``days`` (those where ``ok`` count)."""
        low, offsets = self._offsets(days[ok], tz)
        inside = (days >= low) & (days < low + len(offsets))
        found = offsets[np.clip(days - low, 0, len(offsets) - 1)]
        return np.where(inside, found, NOT_UNIFORM)

    def _fast_terms(self, info: MeterInfo | None) -> tuple[int, int]:
        """A meter's multiplier in thousandths and the largest value (in millionths)
        within its capacity, both exact; a limit of -1 sends its rows one by one."""
        if info is None:
            return 0, -1
        scaled = info.multiplier * 1000
        if scaled != scaled.to_integral_value() or scaled <= 0:
            return 0, -1
        # Over capacity when value × multiplier × 60 / interval (kWh) or value ×
        # multiplier (kW) exceeds the maximum demand.
        most = Fraction(info.max_kw) * 1_000_000_000 / int(scaled)
        if self.unit == "kWh":
            most = most * self.interval / 60
        return int(scaled), min(math.floor(most), _LARGEST)

    def _offsets(self, days: np.ndarray, tz: ZoneInfo | None = None) -> tuple[int, np.ndarray]:
        """The first of ``days`` and the UTC offset (seconds) of every local day from it
        to the last, :data:`NOT_UNIFORM` for a day whose offset changes (or absent)."""
        if not days.size:
            return 0, np.full(1, NOT_UNIFORM, dtype=np.int64)
        low, high = int(days.min()), int(days.max())
        table = np.full(high - low + 1, NOT_UNIFORM, dtype=np.int64)
        present = np.zeros(high - low + 1, dtype=bool)
        present[days - low] = True
        for index in np.flatnonzero(present).tolist():
            table[index] = self._offset_of(low + index, tz or self.tz)
        return low, table

    def _offset_of(self, day: int, tz: ZoneInfo) -> int:
        key = (tz.key, day)
        if key not in self._day_offsets:
            self._day_offsets[key] = day_offset(day, tz)
        return self._day_offsets[key]

    def _is_uniform(self, day: int) -> bool:
        """Whether the company ``day`` follows one UTC offset all day long."""
        return self._offset_of(day, self.company) != NOT_UNIFORM

    def _placed(self, good: Good) -> Good | str:
        """``good`` filed under its company day and slot, or why it cannot be: a start
        off the company's interval grid (a zone offset of half an hour, say)."""
        day = good.moment.astimezone(self.company).date()
        start, _end = storage.day_bounds(day, self.company)
        offset = int((good.moment - start).total_seconds())
        if offset % (self.interval * 60):
            local = good.moment.astimezone(self.company)
            return (
                f"{local:%Y-%m-%d %H:%M} ({self.company.key}) is not on a "
                f"{self.interval}-minute boundary of the company's day"
            )
        good.place = (day, offset // (self.interval * 60))
        return good

    def _readings_of(self, goods: list[Good]) -> Readings:
        """The readings judged one by one, as arrays."""
        places = [g.place for g in goods]
        return Readings(
            np.array([g.line for g in goods], dtype=np.int64),
            np.array([g.meter_id for g in goods], dtype=np.int64),
            np.array([int(g.moment.timestamp()) for g in goods], dtype=np.int64),
            np.array([g.mwh for g in goods], dtype=np.int64),
            np.array([(day - EPOCH).days for day, _slot in places], dtype=np.int64),
            np.array([slot for _day, slot in places], dtype=np.int64),
        )


def day_offset(day: int, tz: ZoneInfo) -> int:
    """The UTC offset (seconds) of the local ``day`` when it is the same all day long —
    no clock change, so no time in it is missing or repeated — else ``NOT_UNIFORM``."""
    midnight = datetime.combine(EPOCH + timedelta(days=day), datetime.min.time())
    offsets = set()
    # Every hour, both folds: a change of clocks makes a time that occurs twice or
    # never, which gives two offsets, and the offset after it differs from the one before.
    for hours in range(25):
        local = midnight + timedelta(hours=hours)
        for fold in (0, 1):
            offset = local.replace(tzinfo=tz, fold=fold).utcoffset()
            offsets.add(offset.total_seconds() if offset is not None else None)
    if len(offsets) != 1 or None in offsets:
        return int(NOT_UNIFORM)
    return int(offsets.pop())
