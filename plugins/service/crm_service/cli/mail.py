"""``crm service mail …``: email to ticket from a folder or a mailbox."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from crm_host.sdk import attachments, get_host
from crm_service import mail, mailbox, mailfolder


@click.group("mail")
def mail_group() -> None:
    """Email to ticket: a folder of .eml files or an IMAP mailbox."""


@mail_group.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--type", "ticket_type", default="inquiry", show_default=True)
@click.option("--department", help="Code of the department whose queue takes new tickets.")
@with_appcontext
def import_mail(folder: Path, ticket_type: str, department: str | None) -> None:
    """Turn the .eml files in FOLDER into tickets and replies.

    Imported files move to FOLDER/imported, files that cannot be imported to
    FOLDER/failed; each is listed with what became of it.
    """
    session = get_host().session
    try:
        report = mailfolder.import_folder(
            session,
            folder,
            storage=attachments.storage_for(current_app),
            ticket_type=ticket_type,
            department=department,
        )
    except mail.MailError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.imported)} imported, {len(report.failed)} failed.")


@mail_group.command("poll")
@with_appcontext
def poll_mail() -> None:
    """Import the unseen mail of the SERVICE_IMAP_* mailbox once."""
    settings = mailbox.MailboxSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException("no mailbox is configured (set SERVICE_IMAP_HOST)")
    try:
        report = mailbox.poll(
            get_host().session, settings, storage=attachments.storage_for(current_app)
        )
    except mail.MailError as error:
        raise click.ClickException(error.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.imported)} imported, {len(report.failed)} failed.")
