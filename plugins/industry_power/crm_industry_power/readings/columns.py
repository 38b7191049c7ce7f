"""Readings as columns: a file or a batch of records turned into arrays, read with numpy.

Checking a reading row by row in Python costs microseconds, and a year of 15-minute
data for 1,000 meters is 35 million readings. Rows of the plain shape — an ASCII
meter number, ``YYYY-MM-DD HH:MM[:SS]`` and an unsigned decimal of at most six
decimals — are read here as byte matrices, one per field, and their numbers taken
with array operations. Every other row (a quoted field, an offset, a comma in a
value, a field count that is wrong) is handed back as a :class:`Record`, to be
judged by the row-by-row rules of :mod:`.readings`, which give each refusal its text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crm_host.sdk.customers import Record
from crm_industry_power import storage

#: Widest field read as an array (a meter number is at most 32 characters long).
METER_WIDTH = 32
TIMESTAMP_WIDTH = 19
VALUE_WIDTH = 19
#: Bytes split into lines, and rows parsed, at a time: their arrays stay in the cache.
CHUNK_BYTES = 1 << 22
CHUNK_ROWS = 1 << 17
#: A value's digits before and after the point: at most 10¹² kWh in millionths fits int64.
INTEGER_DIGITS, DECIMALS = 12, 6
_UTF8_BOM = b"\xef\xbb\xbf"
#: Zeros after the bytes parsed, so that a field's window never runs past the end.
_PADDING = bytes(METER_WIDTH + 1)


@dataclass
class Columns:
    """Plain rows parsed into arrays, and the rows to be checked one by one.

    ``meter`` indexes ``names`` (``-1``: not a plain number); ``plain_time`` and
    ``plain_value`` say which timestamps and values have the plain shape, for which
    ``day`` (local, days since 1970-01-01), ``second`` (of that day) and ``micro`` (the
    value in millionths) hold. ``source(i)`` is plain row ``i`` as its record.
    """

    line: np.ndarray
    meter: np.ndarray
    names: list[str]
    plain_time: np.ndarray
    day: np.ndarray
    second: np.ndarray
    plain_value: np.ndarray
    micro: np.ndarray
    others: list[Record]
    rows: int
    source: Callable[[int], Record]

    def __len__(self) -> int:
        return len(self.line)

    def record(self, index: int) -> Record:
        """Plain row ``index`` as the record it came from, to be checked one by one."""
        return self.source(index)


def plain_csv(path: Path) -> bytes | None:
    """The bytes of a CSV file that can be read as arrays, or ``None`` when it is not
    plain — not ASCII, or with quotes, NULs or lone carriage returns — and must be read
    record by record. (ASCII is UTF-8: the encoding need not be detected.)"""
    data = path.read_bytes()
    offset = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    if not data[offset:].isascii() or b'"' in data or b"\0" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # a carriage return alone ends a line for csv: leave it to it
    return data


def read_csv(data: bytes, header: Sequence[str]) -> Columns:
    """The rows of a plain CSV file (see :func:`plain_csv`) whose ``header`` has been
    read and checked.

    Lines are numbered as the host's reader numbers them: physical lines, the header
    being line 1, blank lines skipped but counted. The bytes are split into lines a
    few megabytes at a time, so the arrays of each step stay in the processor's cache.
    """
    offset = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    padded = np.frombuffer(data + _PADDING, dtype=np.uint8)
    header_end = data.find(b"\n", offset)
    begin = len(data) if header_end < 0 else header_end + 1
    first_line, rows = 2, 0
    pieces: list[tuple[np.ndarray, ...]] = []
    others: list[Record] = []
    while begin < len(data):
        end = data.find(b"\n", min(begin + CHUNK_BYTES, len(data) - 1))
        end = len(data) if end < 0 else end + 1
        piece, piece_others, piece_rows, first_line = _lines(
            data, padded, begin, end, first_line, header
        )
        pieces.append(piece)
        others.extend(piece_others)
        rows += piece_rows
        begin = end
    empty = np.zeros(0, dtype=np.int64)
    lines, s, c1, c2, e = (
        np.concatenate([p[i] for p in pieces]) if pieces else empty for i in range(5)
    )
    bounds = {header[0]: (s, c1), header[1]: (c1 + 1, c2), header[2]: (c2 + 1, e)}

    def source(index: int) -> Record:
        text = data[int(s[index]) : int(e[index])].decode("ascii")
        return _record_of_line(text, int(lines[index]), header)

    return _parsed(padded, bounds, lines, others, rows, source)


def _lines(
    data: bytes, padded: np.ndarray, begin: int, end: int, first_line: int, header: Sequence[str]
) -> tuple[tuple[np.ndarray, ...], list[Record], int, int]:
    """The lines from byte ``begin`` to ``end`` (whole lines): the line number, start,
    first and second comma and end of each plain one (two commas); the others as
    records; how many are not blank; and the number of the line after them."""
    buf = padded[begin:end]
    # Every comma and newline in one pass: a line's commas are the separators between
    # its newline and the one before.
    separators = np.flatnonzero((buf == ord("\n")) | (buf == ord(","))) + begin
    terminators = np.flatnonzero(padded[separators] == ord("\n"))
    newlines = separators[terminators]
    ends = newlines
    if not newlines.size or newlines[-1] != end - 1:  # the file's last line, unterminated
        ends = np.append(newlines, end)
        terminators = np.append(terminators, separators.size)
    starts = np.concatenate(([begin], newlines + 1))[: ends.size]
    after = np.concatenate(([0], terminators + 1))[: ends.size]
    count = terminators - after
    lines = np.arange(first_line, first_line + starts.size, dtype=np.int64)
    if b"\r" in data:
        has_return = ends > starts
        has_return[has_return] = padded[ends[has_return] - 1] == ord("\r")
        ends = ends - has_return
    blank = ends == starts
    plain = (count == 2) & ~blank
    others = [
        _record_of_line(data[starts[i] : ends[i]].decode("ascii"), int(lines[i]), header)
        for i in np.flatnonzero(~plain & ~blank)
    ]
    c1 = separators[after[plain]]
    c2 = separators[after[plain] + 1]
    piece = (lines[plain], starts[plain], c1, c2, ends[plain])
    return piece, others, int(np.count_nonzero(~blank)), first_line + starts.size


def _record_of_line(text: str, line: int, header: Sequence[str]) -> Record:
    # Without quotes, csv splits a line at every comma; its error text is the reader's.
    row = text.split(",")
    if len(row) != len(header):
        return Record(line, {}, f"{len(row)} fields where the header has {len(header)}", raw=row)
    return Record(line, dict(zip(header, row, strict=True)), raw=row)


def from_records(records: Sequence[Record]) -> Columns:
    """A batch of records as columns: records of the plain shape go to the arrays;
    unreadable ones and those with unusual text stay records."""
    lines: list[int] = []
    texts: list[str] = []
    plain: list[Record] = []
    others: list[Record] = []
    for record in records:
        if record.error:
            others.append(record)
            continue
        values = record.values
        # As the row-by-row check reads them: a missing or empty value is "".
        fields = (
            str(values.get("meter") or ""),
            str(values.get("timestamp") or ""),
            str(values.get("value") or ""),
        )
        text = ",".join(fields)
        if not text.isascii() or text.count(",") != 2 or "\n" in text or "\r" in text:
            others.append(record)
            continue
        lines.append(record.line)
        texts.append(text)
        plain.append(record)
    data = "\n".join(texts).encode("ascii")
    padded = np.frombuffer(data + _PADDING, dtype=np.uint8)
    buf = padded[: len(data)]
    ends = np.append(np.flatnonzero(buf == ord("\n")), buf.size)[: len(texts)]
    starts = np.concatenate(([0], ends[:-1] + 1))[: len(texts)]
    commas = np.flatnonzero(buf == ord(",")).reshape(-1, 2)
    bounds = {
        "meter": (starts, commas[:, 0]),
        "timestamp": (commas[:, 0] + 1, commas[:, 1]),
        "value": (commas[:, 1] + 1, ends),
    }
    lines_array = np.asarray(lines, dtype=np.int64)
    return _parsed(padded, bounds, lines_array, others, len(records), plain.__getitem__)


def _parsed(
    buf: np.ndarray,
    bounds: dict[str, tuple[np.ndarray, np.ndarray]],
    lines: np.ndarray,
    others: list[Record],
    rows: int,
    source: Callable[[int], Record],
) -> Columns:
    """The fields between ``bounds`` (start and end offsets in ``buf``, which ends in
    :data:`_PADDING`) parsed, a chunk of rows at a time."""
    codes: dict[bytes, int] = {}
    parts = []
    for start in range(0, max(len(lines), 1), CHUNK_ROWS):
        part = slice(start, start + CHUNK_ROWS)
        meter = _meter_codes(buf, *(b[part] for b in bounds["meter"]), codes)
        plain_time, day, second = _timestamps(buf, *(b[part] for b in bounds["timestamp"]))
        plain_value, micro = _values(buf, *(b[part] for b in bounds["value"]))
        parts.append((meter, plain_time, day, second, plain_value, micro))
    meter, plain_time, day, second, plain_value, micro = (
        np.concatenate([p[i] for p in parts]) for i in range(6)
    )
    names = [name.decode("ascii") for name in codes]
    return Columns(
        lines, meter, names, plain_time, day, second, plain_value, micro, others, rows, source
    )


def _matrix(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The bytes from ``starts`` to ``ends`` of every row, zero-padded to the longest
    (at most ``width``), and each field's true length."""
    lengths = (ends - starts).astype(np.int64)
    width = min(width, int(lengths.max())) if lengths.size else 0
    # Rows of a sliding window over the bytes: each row is copied whole, not byte by
    # byte. ``buf`` ends in :data:`_PADDING` zeros, so a window never runs past it.
    windows = np.lib.stride_tricks.sliding_window_view(buf, max(width, 1))
    matrix = windows[starts][:, :width]
    if lengths.size and lengths.min() < width:
        matrix *= np.arange(width) < lengths[:, None]
    return matrix, lengths


def _meter_codes(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, codes: dict[bytes, int]
) -> np.ndarray:
    """Each row's index among the distinct meter numbers (kept in ``codes`` across
    chunks), ``-1`` for a field that is not a plain number: empty, too long, or with
    spaces around it."""
    matrix, lengths = _matrix(buf, starts, ends, METER_WIDTH)
    n, width = matrix.shape
    if not width:
        return np.full(n, -1, dtype=np.int64)
    # Files come in meter order: compare each row with the one before, and look up
    # (and judge) only where the number changes.
    changed = np.ones(n, dtype=bool)
    changed[1:] = np.any(matrix[1:] != matrix[:-1], axis=1) | (lengths[1:] != lengths[:-1])
    heads = np.flatnonzero(changed)
    head = matrix[heads]
    inside = np.arange(width) < lengths[heads, None]
    plain = (lengths[heads] >= 1) & (lengths[heads] <= METER_WIDTH)
    plain &= np.all(((head > 0x20) & (head < 0x7F)) | ~inside, axis=1)
    named = np.ascontiguousarray(head).view(f"S{width}").ravel().tolist()
    head_codes = np.array([codes.setdefault(name, len(codes)) for name in named], dtype=np.int64)
    return np.where(plain, head_codes, -1)[np.cumsum(changed) - 1]


def days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _timestamps(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which timestamps are plain wall-clock times (``YYYY-MM-DD HH:MM[:SS]``, ``T`` or
    a space between, a real date in the years allowed), their local day (days since
    1970-01-01) and their second of that day."""
    matrix, length = _matrix(buf, starts, ends, TIMESTAMP_WIDTH)
    n = len(length)
    if matrix.shape[1] < 16:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if matrix.shape[1] < TIMESTAMP_WIDTH:
        matrix = np.pad(matrix, ((0, 0), (0, TIMESTAMP_WIDTH - matrix.shape[1])))
    long = length == TIMESTAMP_WIDTH
    ok = (length == 16) | long
    # The date: the rows of a day come together, so it is read once a run of them.
    date8 = np.ascontiguousarray(matrix[:, :8]).view(np.uint64).ravel()
    date2 = np.ascontiguousarray(matrix[:, 8:10]).view(np.uint16).ravel()
    changed = np.ones(n, dtype=bool)
    changed[1:] = (date8[1:] != date8[:-1]) | (date2[1:] != date2[:-1])
    run = np.cumsum(changed) - 1
    good_date, days = _dates(matrix[changed, :10])
    ok &= good_date[run]
    days = days[run]
    # The time of day, row by row (int32: a day has 86,400 seconds).
    digits = {
        column: (matrix[:, column] - np.uint8(ord("0"))).astype(np.int32)
        for column in (11, 12, 14, 15, 17, 18)
    }
    ok &= (digits[11] < 10) & (digits[12] < 10) & (digits[14] < 10) & (digits[15] < 10)
    hour = digits[11] * 10 + digits[12]
    minute = digits[14] * 10 + digits[15]
    second = np.where(long, digits[17] * 10 + digits[18], 0)
    ok &= ~long | ((matrix[:, 16] == ord(":")) & (digits[17] < 10) & (digits[18] < 10))
    ok &= (matrix[:, 10] == ord(" ")) | (matrix[:, 10] == ord("T"))
    ok &= (matrix[:, 13] == ord(":")) & (hour < 24) & (minute < 60) & (second < 60)
    seconds = (hour * 3600 + minute * 60 + second).astype(np.int64)
    return ok, np.where(ok, days, 0), seconds


def _dates(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``YYYY-MM-DD`` are real dates in the years allowed, and their days since
    1970-01-01."""
    digits = (matrix - np.uint8(ord("0"))).astype(np.int64)
    ok = np.all(digits[:, [0, 1, 2, 3, 5, 6, 8, 9]] < 10, axis=1)
    ok &= (matrix[:, 4] == ord("-")) & (matrix[:, 7] == ord("-"))
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    ok &= (year >= storage.FIRST_YEAR) & (year <= storage.LAST_YEAR) & (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (day >= 1) & (day <= month_days)
    return ok, np.where(ok, days_from_civil(year, np.clip(month, 1, 12), day), 0)


def _values(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plain unsigned decimals (``25``, ``10.125``: at most
    :data:`INTEGER_DIGITS` digits before the point and :data:`DECIMALS` after it), and
    each one in millionths."""
    matrix, length = _matrix(buf, starts, ends, VALUE_WIDTH)
    n, width = matrix.shape
    number = np.zeros(n, dtype=np.int64)
    points = np.zeros(n, dtype=np.int64)
    at = length.copy()
    ok = (length >= 1) & (length <= VALUE_WIDTH)
    for k in range(width):
        column = matrix[:, k]
        inside = length > k
        digit = column - np.uint8(ord("0"))
        is_digit = digit < 10
        is_point = column == ord(".")
        ok &= is_digit | is_point | ~inside
        at = np.where(is_point & (points == 0), k, at)
        points += is_point
        number = np.where(is_digit, number * 10 + digit, number)
    decimals = np.where(points == 1, length - at - 1, 0)
    ok &= (points <= 1) & (at >= 1) & (at <= INTEGER_DIGITS) & (decimals <= DECIMALS)
    ok &= (points == 0) | (decimals >= 1)
    scale = 10 ** (DECIMALS - np.clip(decimals, 0, DECIMALS))
    return ok, np.where(ok, number * scale, 0)
