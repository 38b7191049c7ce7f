"""The customer import as a resumable batch job on the host queue.

Each batch — its customers, its rejects, the job's cursor (records consumed) — commits
in one transaction, so an import killed half-way and started again carries on after
its last committed batch and never writes a row twice. The rejects file is written
whole at the end from the rejects kept in the database.
"""

from __future__ import annotations

import csv
import hashlib
import json
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.host import host_of
from crm_host.core.models import ImportReject
from crm_host.domain.importing import protect
from crm_host.domain.importing.bulk import collecting_later
from crm_host.domain.importing.readers import CHUNK, ImportFileError, count_lines, read_records
from crm_host.domain.importing.results import BatchResult

JOB_NAME = "host.import"
DEFAULT_BATCH = 1000


def file_key(path: Path, importer: str = "customers", options: dict[str, Any] | None = None) -> str:
    """The import's identity: the importer, its options and the file's content, so a
    re-run of the same file is the same job — and the same file read with other
    options (kW instead of kWh, say) is another."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    if options:
        digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return f"import:{importer}:{digest.hexdigest()}"


def default_rejects_path(path: Path) -> Path:
    """``<input>.rejects.csv`` beside the input."""
    return path.with_name(path.name + ".rejects.csv")


def job_args(
    path: Path,
    *,
    importer: str = "customers",
    fmt: str | None = None,
    encoding: str | None = None,
    rejects: Path | None = None,
    batch_size: int = DEFAULT_BATCH,
    session: Session | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The arguments of an import job for ``path``, checked before anything is queued
    (the header and the options against the importer too, given a ``session``).

    ``options`` are the importer's own, for this run (a readings file's interval and
    unit, say): an importer that takes any checks them in its ``check_options``
    class method and receives them as keyword arguments when it is built.
    """
    path = path.resolve()
    header, _records = read_records(path, fmt, encoding)  # fails now on encoding or format
    options = dict(options or {})
    if session is not None:
        from crm_host.domain.importing.collect import collect_importers

        spec = collect_importers(host_of(session).plugins).get(importer)
        if spec is not None:
            options = check_options(spec.importer, session, options)
            if header:
                spec.importer.check_header(session, header)  # and on columns it cannot take
    return {
        "importer": importer,
        "path": str(path),
        "format": fmt,
        "encoding": encoding,
        "rejects": str((rejects or default_rejects_path(path)).resolve()),
        "batch_size": batch_size,
        "options": options,
    }


def check_options(importer: type, session: Session, options: dict[str, Any]) -> dict[str, Any]:
    """The run's options as the importer takes them; an importer without
    ``check_options`` takes none, and saying some is an error."""
    checker = getattr(importer, "check_options", None)
    if checker is None:
        if options:
            raise ImportFileError(
                f"this importer takes no options (given: {', '.join(sorted(options))})"
            )
        return {}
    return dict(checker(session, options))


def run_import(job: Any) -> None:
    """The job: import the file batch by batch with its importer, then write the rejects."""
    from crm_host.domain.importing.collect import collect_importers

    args = job.args
    name = args.get("importer", "customers")
    spec = collect_importers(job.app.extensions["crm"].plugins).get(name)
    if spec is None:
        raise LookupError(f"no importer named {name} (is its plugin installed?)")
    path = Path(args["path"])
    key = job.idempotency_key or f"import:job:{job.id}"
    batch_size = int(args.get("batch_size") or DEFAULT_BATCH)
    options = args.get("options") or {}
    # Everything happens in the batches' own transactions: on SQLite, touching the
    # job's session first would hold the write lock the batches wait for.
    state: dict[str, Any] = {"records": None, "importer": None, "header": None}

    def step(batch: Any) -> dict[str, int] | None:
        # The cursor carries the running totals too, so they survive a crash with it.
        cursor = dict(batch.cursor or {"consumed": 0, "created": 0, "updated": 0, "unchanged": 0})
        consumed = cursor["consumed"]
        if state["records"] is None:
            header, records = read_records(path, args.get("format"), args.get("encoding"))
            state["header"] = header
            if header:
                spec.importer.check_header(batch.session, header)
            state["importer"] = importer = spec.importer(batch.session, **options)
            # Resuming: an importer may need to see the rows already imported (codes).
            skipped = islice(records, consumed)
            if hasattr(importer, "remember"):
                importer.remember(skipped)
            else:
                for _ in skipped:
                    pass
            state["records"] = records
        importer = state["importer"]
        with collecting_later():
            records = list(islice(state["records"], batch_size))
        if not records:
            return None
        result = importer.import_batch(batch.session, records)
        keep_problems(batch.session, key, result, state["header"])
        batch.processed = len(records)
        cursor["consumed"] = consumed + len(records)
        created, updated, unchanged = result.totals()
        cursor["created"] += created
        cursor["updated"] += updated
        cursor["unchanged"] += unchanged
        return cursor

    try:
        job.run_batches(step, total=max(count_lines(path) - 1, 0))
    except sa.exc.OperationalError as error:
        if is_disk_full(error):
            raise ImportDiskFull(
                "the database ran out of disk space; the batches imported so far are kept "
                "and nothing of the failed batch was written: free some space and import "
                "the file again to go on where it stopped"
            ) from error
        raise
    if args.get("rejects"):
        write_rejects(job.session, key, Path(args["rejects"]))
    if args.get("upload"):
        # An uploaded file is the host's copy, personal data and all: it goes once
        # imported (its rejects stay in the database, protected, for the download).
        path.unlink(missing_ok=True)


def keep_problems(
    session: Session, key: str, result: BatchResult, header: list[str] | None = None
) -> None:
    """Store a batch's refused rows and notices with the batch, under the import's key,
    their sensitive values encrypted or masked (:mod:`crm_host.domain.importing.protect`)."""
    rows = [
        {
            "job_key": key,
            "line": r.line,
            "reason": r.reason,
            "raw": protect.protect(r.raw, header),
            "kind": kind,
        }
        for kind, problems in (("refused", result.rejects), ("notice", result.notices))
        for r in problems
    ]
    if rows:
        session.execute(sa.insert(ImportReject), rows)


class ImportDiskFull(RuntimeError):
    """The database's disk filled up during an import (its committed batches are kept)."""


#: How SQLite and PostgreSQL say they are out of space.
_DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file")


def is_disk_full(error: BaseException | None) -> bool:
    """Whether a database error, or one it arose from, means the disk is full.

    The chain matters: SQLite rolls the whole transaction back when it is full, so
    the error that surfaces may be a later one ("no such savepoint") raised while
    unwinding, with the full disk as its context.
    """
    seen = 0
    while error is not None and seen < 10:
        original = getattr(error, "orig", error)
        if getattr(original, "sqlstate", None) == "53100":  # PostgreSQL's disk_full
            return True
        if any(marker in str(original).lower() for marker in _DISK_FULL):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def write_rejects(session: Session, key: str, target: Path, *, reveal: bool = True) -> int:
    """Write the rejects of an import to ``target`` (CSV: line, reason, the row's values);
    sensitive values in clear only with ``reveal``."""
    if not count_rejects(session, key):
        target.unlink(missing_ok=True)
        return 0
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", encoding="utf-8-sig", newline="") as out:
        count = rejects_csv(session, key, out, reveal=reveal)
    partial.replace(target)
    return count


def rejects_csv(session: Session, key: str | None, out: TextIO, *, reveal: bool) -> int:
    """Write the rejects of an import as CSV to ``out``; returns how many rows."""
    rows = session.execute(
        sa.select(ImportReject.line, ImportReject.reason, ImportReject.raw)
        .where(ImportReject.job_key == key, ImportReject.kind == "refused")
        .order_by(ImportReject.line)
    ).all()
    writer = csv.writer(out)
    writer.writerow(["line", "reason", "values"])
    for line, reason, raw in rows:
        writer.writerow([line, reason, *protect.reveal(raw, allowed=reveal)])
    return len(rows)


def count_rejects(session: Session, key: str | None) -> int:
    """How many rows the import with this key refused."""
    if key is None:
        return 0
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(ImportReject)
            .where(ImportReject.job_key == key, ImportReject.kind == "refused")
        )
        or 0
    )


def notices(session: Session, key: str | None) -> list[tuple[int, str]]:
    """The notices of an import (line, text), in file order."""
    if key is None:
        return []
    return [
        (row.line, row.reason)
        for row in session.execute(
            sa.select(ImportReject.line, ImportReject.reason)
            .where(ImportReject.job_key == key, ImportReject.kind == "notice")
            .order_by(ImportReject.line, ImportReject.id)
        )
    ]
