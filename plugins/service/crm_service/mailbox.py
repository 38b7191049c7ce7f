"""An IMAP mailbox polled for new mail, through the standard library's ``imaplib``.

Unseen messages are fetched with ``BODY.PEEK[]`` (which leaves them unseen) and
marked ``\\Seen`` only after their ticket is committed, so a crash between the two
fetches the mail again next time, where its Message-ID makes it a duplicate. A
message that cannot be imported is marked ``\\Seen`` and ``\\Flagged`` for a person
to look at, and reported; the run goes on.
"""

from __future__ import annotations

import contextlib
import imaplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crm_host.sdk import CrmError, attachments
from crm_service import mail


@dataclass(frozen=True)
class MailboxSettings:
    """Where the mailbox is (``SERVICE_IMAP_*`` settings)."""

    host: str
    user: str
    password: str
    folder: str = "INBOX"
    port: int = 993
    ssl: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailboxSettings | None:
        """The settings in ``config``; ``None`` when no mailbox is configured."""
        host = config.get("SERVICE_IMAP_HOST")
        if not host:
            return None
        ssl = str(config.get("SERVICE_IMAP_SSL", "true")).lower() not in ("0", "false", "no")
        return cls(
            host=str(host),
            user=str(config.get("SERVICE_IMAP_USER") or ""),
            password=str(config.get("SERVICE_IMAP_PASSWORD") or ""),
            folder=str(config.get("SERVICE_IMAP_FOLDER") or "INBOX"),
            port=int(config.get("SERVICE_IMAP_PORT") or (993 if ssl else 143)),
            ssl=ssl,
        )


@dataclass
class MailboxReport:
    """What one poll did, by IMAP message number."""

    imported: list[tuple[str, mail.Outcome]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per message, for the CLI and the job's log."""
        out = [f"message {n}: {o.status} ticket #{o.ticket_id}" for n, o in self.imported]
        out += [f"message {n}: failed, flagged in the mailbox: {why}" for n, why in self.failed]
        return out


def connect(settings: MailboxSettings) -> imaplib.IMAP4:
    """An authenticated connection with the folder selected."""
    kind = imaplib.IMAP4_SSL if settings.ssl else imaplib.IMAP4
    client = kind(settings.host, settings.port)
    client.login(settings.user, settings.password)
    status, _ = client.select(settings.folder)
    if status != "OK":
        client.logout()
        raise mail.MailError(f"the mailbox has no folder {settings.folder!r}")
    return client


def _raw(data: list[Any]) -> bytes | None:
    """The message bytes in a FETCH answer (a list of ``(envelope, bytes)`` tuples)."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll(
    session: Session,
    settings: MailboxSettings,
    *,
    storage: attachments.Storage | None = None,
    ticket_type: str = "inquiry",
    opener: Callable[[MailboxSettings], Any] = connect,
) -> MailboxReport:
    """Import the folder's unseen messages, committing after each one."""
    try:
        client = opener(settings)
    except (OSError, imaplib.IMAP4.error) as error:
        raise mail.MailError(f"cannot reach the mailbox {settings.host}: {error}") from None
    report = MailboxReport()
    try:
        status, found = client.search(None, "UNSEEN")
        if status != "OK":
            raise mail.MailError(f"the mailbox refused the search: {found!r}")
        numbers = found[0].split() if found and found[0] else []
        for number in numbers:
            name = number.decode()
            try:
                status, data = client.fetch(number, "(BODY.PEEK[])")
                raw = _raw(data) if status == "OK" else None
                if raw is None:
                    raise mail.MailError("the mailbox did not hand the message over")
                with session.begin_nested():
                    outcome = mail.import_message(
                        session, raw, source="imap", storage=storage, ticket_type=ticket_type
                    )
                session.commit()
            except CrmError as error:
                session.rollback()
                report.failed.append((name, error.message))
                client.store(number, "+FLAGS", "(\\Seen \\Flagged)")
                continue
            report.imported.append((name, outcome))
            client.store(number, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return report
