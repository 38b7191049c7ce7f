"""The service plugin's background jobs and their schedules: the SLA check every
minute, and the mail intake every two minutes.

The mail intake reads the drop folder and the IMAP mailbox, if set: ``SERVICE_MAIL_DIR`` names a folder of ``.eml`` files; ``SERVICE_IMAP_HOST``,
``…_USER``, ``…_PASSWORD``, ``…_FOLDER`` (``INBOX``), ``…_PORT`` and ``…_SSL`` a
mailbox. ``SERVICE_MAIL_TICKET_TYPE`` (``inquiry``) is the type of the tickets opened.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crm_host.sdk import attachments, get_host
from crm_service import escalation, mailbox, mailfolder

CHECK_SLA = "service.check_sla"
FETCH_MAIL = "service.fetch_mail"
log = logging.getLogger(__name__)


def register(registry: Any) -> None:
    """The SLA check, every minute over all queues (breaches are marked once anyway),
    and the mail intake every two minutes."""
    registry.job(CHECK_SLA, check_sla_job, max_attempts=3)
    registry.schedule(CHECK_SLA, every=timedelta(minutes=1), per_department=False)
    # Mail waits a few minutes at most; the job does nothing unless a folder or a
    # mailbox is configured.
    registry.job(FETCH_MAIL, fetch_mail_job, max_attempts=3)
    registry.schedule(FETCH_MAIL, every=timedelta(minutes=2), per_department=False)


def check_sla_job(job: Any) -> None:
    """The ``service.check_sla`` job; ``job.args["now"]`` (ISO) replays a moment in tests."""
    now = datetime.fromisoformat(job.args["now"]) if job.args.get("now") else None
    escalation.check_sla(job.session, now)


def fetch_mail(session: Any, app: Any) -> list[str]:
    """Import what is waiting in the configured folder and mailbox; the report lines."""
    storage = attachments.storage_for(app)
    ticket_type = str(app.config.get("SERVICE_MAIL_TICKET_TYPE") or "inquiry")
    lines: list[str] = []
    folder = app.config.get("SERVICE_MAIL_DIR")
    if folder:
        report = mailfolder.import_folder(
            session, Path(folder), storage=storage, ticket_type=ticket_type
        )
        lines += report.lines()
    settings = mailbox.MailboxSettings.from_config(app.config)
    if settings is not None:
        lines += mailbox.poll(session, settings, storage=storage, ticket_type=ticket_type).lines()
    return lines


def fetch_mail_job(job: Any) -> None:
    """The ``service.fetch_mail`` job: one run over the folder and the mailbox, each mail logged.

    Each mail commits on its own (a file is moved only once its ticket is safe), so
    the run uses a session of its own rather than the job's single transaction.
    """
    with get_host(job.app).db.session_factory() as session:
        for line in fetch_mail(session, job.app):
            log.info("service mail: %s", line)
