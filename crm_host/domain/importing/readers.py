"""Reading import files record by record, with the physical line each record starts on.

Encodings are detected before anything is read — the whole file is decoded strictly,
first as UTF-8 (with or without BOM), then as GB18030 — because a guess from the
first kilobytes goes wrong on the row where a spreadsheet put its first "é" or "张".
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
FORMATS = ("csv", "jsonl", "xlsx")
#: The encodings an import file may be read with, and tried when the one given fails.
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "latin-1")
#: A field larger than this is refused (a runaway quote would otherwise swallow the file).
MAX_FIELD = 1 << 20
#: An XLSX file is a zip archive: one that expands past this, or by more than
#: :data:`MAX_XLSX_RATIO` times its size, is refused before anything is unpacked.
MAX_XLSX_EXPANDED = 1 << 30
MAX_XLSX_RATIO = 100


class ImportFileError(Exception):
    """The file cannot be read at all (encoding, format, header); nothing was imported."""

    #: Reading the same file again fails again: a job stops at once, without retries.
    retryable = False


@dataclass(frozen=True)
class Record:
    """One record of the file: its line, its values by column, or why it is unreadable."""

    line: int
    values: dict[str, Any]
    error: str | None = None
    raw: list[str] | None = None


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``gb18030``: the first that decodes the whole file strictly."""
    failures = []
    for encoding in ("utf-8-sig", "gb18030"):
        problem = first_undecodable(path, encoding)
        if problem is None:
            return encoding
        failures.append(f"{encoding} fails at byte {problem[1]}, line {problem[0]}")
    working = working_encodings(path)
    advice = f"; it decodes whole as {', '.join(working)}" if working else ""
    raise ImportFileError(
        "the file is neither UTF-8 nor GB18030 ("
        + "; ".join(failures)
        + ")"
        + advice
        + ": save it as UTF-8, or name its encoding"
    )


def first_undecodable(path: Path, encoding: str) -> tuple[int, int, str] | None:
    """Where ``encoding`` first fails on the file: (line, byte offset, reason), or ``None``
    when it decodes the whole file. The line counts from 1, the offset from 0."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(CHUNK)
            # Bytes the decoder holds back from the last chunk (a character cut in two).
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                position = offset - pending + error.start
                return _line_at(path, position), position, error.reason
            if not chunk:
                return None
            offset += len(chunk)


def _line_at(path: Path, position: int) -> int:
    """The physical line (from 1) the byte at ``position`` is on."""
    lines, read = 1, 0
    with path.open("rb") as stream:
        while read < position and (chunk := stream.read(min(CHUNK, position - read))):
            lines += chunk.count(b"\n")
            read += len(chunk)
    return lines


def working_encodings(path: Path) -> list[str]:
    """The encodings of :data:`ENCODINGS` that decode the whole file.

    UTF-16 counts only with its byte-order mark (without one, almost any file of even
    length decodes as UTF-16 nonsense); UTF-8 with a mark is ``utf-8-sig``.
    """
    with path.open("rb") as stream:
        start = stream.read(4)
    found = []
    for encoding in ENCODINGS:
        if encoding == "utf-16" and not start.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            continue
        if encoding == "utf-8" and start.startswith(codecs.BOM_UTF8):
            continue
        if encoding == "utf-8-sig" and not start.startswith(codecs.BOM_UTF8):
            continue
        if first_undecodable(path, encoding) is None:
            found.append(encoding)
    return found


def check_encoding(path: Path, encoding: str) -> str:
    """``encoding`` when it decodes the whole file; else an :class:`ImportFileError`
    naming the line and byte offset where it fails and the encodings that would work.

    The whole file is checked before anything is imported: a wrong encoding found on
    row 5,000 would otherwise stop the import after its first batches were written.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFileError(
            f"unknown encoding {encoding!r}: use one of {', '.join(ENCODINGS)}"
        ) from None
    problem = first_undecodable(path, encoding)
    if problem is None:
        return encoding
    line, position, reason = problem
    working = working_encodings(path)
    advice = (
        f"the whole file decodes as {', '.join(working)}"
        if working
        else "none of " + ", ".join(ENCODINGS) + " decodes the whole file"
    )
    raise ImportFileError(
        f"line {line}, byte offset {position}: not {encoding} ({reason}); {advice}"
    )


def detect_format(path: Path) -> str:
    """The format named by the file's extension."""
    suffix = path.suffix.lower().lstrip(".")
    aliases = {"csv": "csv", "txt": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "xlsx": "xlsx"}
    if suffix not in aliases:
        raise ImportFileError(
            f"cannot tell the format of {path.name}: use .csv, .jsonl or .xlsx, or --format"
        )
    return aliases[suffix]


def read_records(
    path: Path, fmt: str | None = None, encoding: str | None = None
) -> tuple[list[str], Iterator[Record]]:
    """The file's column names and its records, in order.

    Unreadable rows come as records with an error. The header is read (and checked)
    before this returns, so a bad file fails here, before anything is imported.
    """
    fmt = fmt or detect_format(path)
    if fmt == "csv":
        records = _csv(path, _encoding(path, encoding))
    elif fmt == "jsonl":
        records = _jsonl(path, _encoding(path, encoding))
    elif fmt == "xlsx":
        records = _xlsx(path)
    else:
        raise ImportFileError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    header = next(records)
    return header, records


def _encoding(path: Path, encoding: str | None) -> str:
    """The encoding to read ``path`` with: the one given, checked, or the one detected."""
    return check_encoding(path, encoding) if encoding else detect_encoding(path)


def count_lines(path: Path) -> int:
    """Physical lines in the file: a cheap estimate of its records for progress bars."""
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            lines += chunk.count(b"\n")
    return lines


def _header(names: list[str]) -> list[str]:
    header = [str(n).strip() for n in names]
    if not any(header):
        raise ImportFileError("the first row must name the columns (code,name,kind,…)")
    seen = set()
    for name in header:
        if name in seen:
            raise ImportFileError(f"column {name!r} appears twice in the header")
        seen.add(name)
    return header


def _csv(path: Path, encoding: str) -> Iterator[Any]:
    csv.field_size_limit(MAX_FIELD)
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        try:
            header = _header(next(reader))
        except StopIteration:
            raise ImportFileError("the file is empty") from None
        except csv.Error as error:
            raise ImportFileError(f"line 1: {error}") from None
        yield header
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Record(start, {}, f"unreadable row: {error}")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not row or row == [""]:
                continue  # blank lines are not records
            if len(row) != len(header):
                yield Record(
                    line, {}, f"{len(row)} fields where the header has {len(header)}", raw=row
                )
                continue
            yield Record(line, dict(zip(header, row, strict=True)), raw=row)


def _jsonl(path: Path, encoding: str) -> Iterator[Any]:
    # JSON Lines has no header: every object names its fields.
    yield []
    with path.open(encoding=encoding) as stream:
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            if len(line) > MAX_FIELD:
                yield Record(line_number, {}, f"line longer than {MAX_FIELD} characters")
                continue
            try:
                value = json.loads(line)
            except ValueError as error:
                yield Record(line_number, {}, f"not JSON: {error.args[0]}", raw=[line.rstrip()])
                continue
            if not isinstance(value, dict):
                yield Record(
                    line_number, {}, "each line must be a JSON object", raw=[line.rstrip()]
                )
                continue
            yield Record(line_number, value, raw=[line.rstrip()])


def check_archive(path: Path) -> None:
    """Refuse an XLSX file that is not a zip archive or would expand like a zip bomb."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"not a readable XLSX file: {error}") from None
    size = max(path.stat().st_size, 1)
    if expanded > MAX_XLSX_EXPANDED or expanded > MAX_XLSX_RATIO * size + CHUNK:
        raise ImportFileError(
            f"the XLSX file expands from {size:,} to {expanded:,} bytes: refused as a "
            "possible zip bomb; save the sheet as CSV instead"
        )


def _xlsx(path: Path) -> Iterator[Any]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_archive(path)
    try:
        # Not data_only: a formula cell must be seen to be refused, not read as its cache.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise ImportFileError(f"not a readable XLSX file: {error}") from None
    try:
        rows = workbook.worksheets[0].iter_rows()
        try:
            header = _header([c.value for c in next(rows) if c.value is not None])
        except StopIteration:
            raise ImportFileError("the sheet is empty") from None
        yield header
        for line, row in enumerate(rows, start=2):
            values = [getattr(c, "value", None) for c in row]
            cells = ["" if v is None else str(v) for v in values[: len(header)]]
            extra = [v for v in values[len(header) :] if v not in (None, "")]
            if not any(cells) and not extra:
                continue
            formulas = [
                f"{get_column_letter(i + 1)}{line}"
                for i, c in enumerate(row)
                if getattr(c, "data_type", None) == "f"
            ]
            if formulas:
                yield Record(
                    line,
                    {},
                    f"cell {', '.join(formulas)} holds a formula: import values only",
                    raw=cells,
                )
                continue
            if extra:
                yield Record(line, {}, f"values beyond the {len(header)} named columns", raw=cells)
                continue
            cells += [""] * (len(header) - len(cells))
            yield Record(line, dict(zip(header, cells, strict=True)), raw=cells)
    finally:
        workbook.close()
