"""``.eml`` files dropped in a folder become tickets, one file at a time.

Each file is imported in its own savepoint and committed on its own, so one bad file
costs only itself. Imported files move to ``imported/`` and files that cannot be
imported to ``failed/`` (with the reason in the report), so the folder holds only
what is still to do and nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crm_host.sdk import CrmError, attachments
from crm_service import mail

IMPORTED = "imported"
FAILED = "failed"
#: A file larger than this is not a mail a person sent to a service centre.
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class FolderReport:
    """What one run did: outcomes of the imported files, reasons of the failed ones."""

    imported: list[tuple[str, mail.Outcome]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per file, for the CLI and the job's log."""
        out = [f"{name}: {o.status} ticket #{o.ticket_id}" for name, o in self.imported]
        out += [f"{name}: failed, moved to {FAILED}/: {reason}" for name, reason in self.failed]
        return out


def _move(path: Path, folder: str) -> None:
    target = path.parent / folder
    target.mkdir(exist_ok=True)
    destination = target / path.name
    n = 1
    while destination.exists():
        # A second file of the same name keeps both: nothing is overwritten.
        destination = target / f"{path.stem}.{n}{path.suffix}"
        n += 1
    path.replace(destination)


def import_folder(
    session: Session,
    folder: Path,
    *,
    storage: attachments.Storage | None = None,
    ticket_type: str = "inquiry",
    department: str | None = None,
) -> FolderReport:
    """Import every ``*.eml`` file of ``folder`` (not its subfolders), oldest name first.

    Commits after each file. A file that cannot be read, parsed or matched to a
    customer is moved aside to ``failed/`` and reported by name; the run goes on.
    """
    if not folder.is_dir():
        raise mail.MailError(f"{folder} is not a folder")
    report = FolderReport()
    for path in sorted(folder.glob("*.eml")):
        if not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                raise mail.MailError(f"the file is larger than {MAX_BYTES:,} bytes")
            raw = path.read_bytes()
            with session.begin_nested():
                outcome = mail.import_message(
                    session,
                    raw,
                    source="folder",
                    storage=storage,
                    ticket_type=ticket_type,
                    department=department,
                )
            session.commit()
        except (CrmError, OSError) as error:
            session.rollback()
            reason = error.message if isinstance(error, CrmError) else str(error)
            report.failed.append((path.name, reason))
            _move(path, FAILED)
            continue
        report.imported.append((path.name, outcome))
        _move(path, IMPORTED)
    return report
