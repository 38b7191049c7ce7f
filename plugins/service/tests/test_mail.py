"""Email to ticket: real ``.eml`` files become tickets on the right customer, replies
thread onto them, a mail is imported once, and a bad file is set aside by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from crm_service import mail, mailbox, mailfolder
from crm_service.models import MailMessage, Ticket, TicketMessage

from crm_host.domain.customers.children import add_child
from crm_host.records.attachments import LocalStorage
from crm_host.sdk import Interaction
from crm_host.testing.tables import Attachment

FIXTURES = Path(__file__).parent / "mail"


@pytest.fixture
def li_ming(db, make_customer):
    """A household whose contact Li Ming writes from liming@example.cn."""
    customer = make_customer(name="李明家", email="home@example.cn")
    add_child(db, "contact", customer, {"name": "李明", "email": "liming@example.cn"})
    db.commit()
    return customer


@pytest.fixture
def inbox(tmp_path):
    """A drop folder holding copies of the fixture files named."""

    def fill(*names: str) -> Path:
        for name in names:
            shutil.copy(FIXTURES / name, tmp_path / name)
        return tmp_path

    return fill


def _messages(db, ticket_id):
    return list(
        db.scalars(
            sa.select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id)
        )
    )


def test_a_chinese_mail_and_its_reply_make_one_ticket(db, li_ming, inbox, tmp_path):
    folder = inbox("meter_fault.eml")
    storage = LocalStorage(tmp_path / "store")
    first = mailfolder.import_folder(db, folder, storage=storage)
    assert first.failed == []
    [(name, outcome)] = first.imported
    assert (name, outcome.status) == ("meter_fault.eml", "created")
    ticket = db.get(Ticket, outcome.ticket_id)
    # The sender is the contact (address compared without case), the subject decoded
    # from GB2312 encoded words, the body from a GB2312 base64 part.
    assert ticket.customer_id == li_ming.id
    assert ticket.contact_id is not None and ticket.channel == "email"
    assert ticket.subject == "电表不走字，请派人查看"
    [message] = _messages(db, ticket.id)
    assert message.kind == "customer"
    assert message.body.splitlines() == [
        "您好：",
        "我家的电表从昨天起不走字了，户号 3201001234。",
        "请尽快派人上门查看。",
        "李明",
    ]
    [attachment] = db.scalars(
        sa.select(Attachment).where(
            Attachment.object_type == "service.ticket", Attachment.object_id == str(ticket.id)
        )
    )
    assert attachment.filename == "电表照片说明.csv" and attachment.content_type == "text/csv"
    with storage.open(attachment.storage_key) as handle:
        assert handle.read().decode() == "户号,3201001234\n读数,10532\n"
    assert (folder / "imported" / "meter_fault.eml").is_file()
    assert not (folder / "meter_fault.eml").exists()

    # The reply (UTF-8, quoted-printable) names the first mail in In-Reply-To.
    second = mailfolder.import_folder(db, inbox("meter_fault_reply.eml"), storage=storage)
    [(_name, threaded)] = second.imported
    assert (threaded.status, threaded.ticket_id) == ("threaded", ticket.id)
    bodies = [m.body for m in _messages(db, ticket.id)]
    assert bodies[1].startswith("补充一下：今天早上电表还是不走字")
    assert db.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Interaction)
            .where(Interaction.object_type == "service.ticket", Interaction.object_id == ticket.id)
            .where(Interaction.subject.like("%Customer wrote%"))
        )
        == 2
    )


def test_the_same_mail_twice_is_imported_once(db, li_ming, inbox):
    folder = inbox("meter_fault.eml")
    mailfolder.import_folder(db, folder)
    # Dropped again (a mail client that saved it twice).
    shutil.copy(FIXTURES / "meter_fault.eml", folder / "meter_fault.eml")
    again = mailfolder.import_folder(db, folder)
    [(_name, outcome)] = again.imported
    assert outcome.status == "duplicate"
    assert db.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 1
    # Both copies are kept, neither overwritten.
    assert sorted(p.name for p in (folder / "imported").iterdir()) == [
        "meter_fault.1.eml",
        "meter_fault.eml",
    ]


def test_bad_files_are_set_aside_by_name_and_the_run_goes_on(db, li_ming, make_customer, inbox):
    make_customer(name="工厂", email="Wei.Zhang@factory.example.com")
    folder = inbox("not_a_mail.eml", "meter_fault_reply.eml", "invoice_question.eml")
    report = mailfolder.import_folder(db, folder)
    # The reply arrives before its first mail: the sender is known, so it opens a ticket.
    assert [(n, o.status) for n, o in report.imported] == [
        ("invoice_question.eml", "created"),
        ("meter_fault_reply.eml", "created"),
    ]
    assert report.failed == [("not_a_mail.eml", "the mail has no sender address (From)")]
    assert (folder / "failed" / "not_a_mail.eml").is_file()
    assert "not_a_mail.eml: failed, moved to failed/" in "\n".join(report.lines())
    invoice = db.get(Ticket, report.imported[0][1].ticket_id)
    # The HTML-only mail becomes text.
    assert _messages(db, invoice.id)[0].body == (
        "Why is the November invoice twice as high? Zhang Wei & team"
    )


def test_an_unknown_sender_is_reported_and_nothing_is_written(db, inbox):
    folder = inbox("invoice_question.eml")
    report = mailfolder.import_folder(db, folder)
    assert report.failed == [
        (
            "invoice_question.eml",
            "no customer or contact has the address wei.zhang@factory.example.com",
        )
    ]
    assert db.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0
    assert (folder / "failed" / "invoice_question.eml").is_file()


def test_a_ticket_tag_in_the_subject_threads_only_onto_the_senders_ticket(
    db, li_ming, make_customer
):
    raw = (FIXTURES / "meter_fault.eml").read_bytes()
    ticket_id = mail.import_message(db, raw, source="folder").ticket_id
    stranger = make_customer(name="别人", email="other@example.cn")
    other = mail.import_message(
        db,
        b"From: other@example.cn\r\nSubject: about [#%d]\r\nMessage-ID: <o1@x>\r\n\r\nhello"
        % ticket_id,
        source="folder",
    )
    assert other.status == "created" and other.ticket_id != ticket_id
    assert db.get(Ticket, other.ticket_id).customer_id == stranger.id
    tagged = mail.import_message(
        db,
        b"From: liming@example.cn\r\nSubject: Re: [#%d] still broken\r\n"
        b"Message-ID: <t1@x>\r\n\r\nstill broken" % ticket_id,
        source="folder",
    )
    assert (tagged.status, tagged.ticket_id) == ("threaded", ticket_id)


def test_a_reply_to_a_ticket_waiting_on_the_customer_puts_it_back_to_work(db, li_ming):
    from crm_service import tickets

    created = mail.import_message(db, (FIXTURES / "meter_fault.eml").read_bytes(), source="imap")
    ticket = db.get(Ticket, created.ticket_id)
    tickets.transition(db, ticket, "waiting_on_customer")
    mail.import_message(db, (FIXTURES / "meter_fault_reply.eml").read_bytes(), source="imap")
    assert ticket.status == "in_progress"


class FakeImap:
    """Stands in for ``imaplib.IMAP4_SSL``: answers as a server does, records flags."""

    def __init__(self, messages: dict[bytes, bytes], seen: set[bytes] | None = None) -> None:
        self.messages = messages
        self.flags: dict[bytes, set[str]] = {n: set() for n in messages}
        for n in seen or ():
            self.flags[n].add("\\Seen")
        self.logged_out = False

    def search(self, charset, criterion):
        assert criterion == "UNSEEN"
        unseen = [n for n in sorted(self.messages) if "\\Seen" not in self.flags[n]]
        return "OK", [b" ".join(unseen)]

    def fetch(self, number, parts):
        # BODY.PEEK leaves the message unseen until the import commits.
        assert parts == "(BODY.PEEK[])"
        raw = self.messages[number]
        return "OK", [(number + b" (BODY[] {%d}" % len(raw), raw), b")"]

    def store(self, number, command, flags):
        assert command == "+FLAGS"
        self.flags[number].update(flags.strip("()").split())
        return "OK", [b""]

    def logout(self):
        self.logged_out = True
        return "BYE", [b""]


def test_the_mailbox_is_polled_through_imaplib(db, li_ming):
    server = FakeImap(
        {
            b"1": (FIXTURES / "meter_fault.eml").read_bytes(),
            b"2": (FIXTURES / "not_a_mail.eml").read_bytes(),
            b"3": (FIXTURES / "meter_fault_reply.eml").read_bytes(),
            b"4": b"From: liming@example.cn\r\nSubject: old\r\nMessage-ID: <old@x>\r\n\r\nold",
        },
        seen={b"4"},
    )
    settings = mailbox.MailboxSettings.from_config(
        {"SERVICE_IMAP_HOST": "imap.example.cn", "SERVICE_IMAP_USER": "svc"}
    )
    assert settings.port == 993 and settings.folder == "INBOX"
    report = mailbox.poll(db, settings, opener=lambda s: server)
    assert [(n, o.status) for n, o in report.imported] == [("1", "created"), ("3", "threaded")]
    assert report.failed == [("2", "the mail has no sender address (From)")]
    assert server.flags == {
        b"1": {"\\Seen"},
        b"2": {"\\Seen", "\\Flagged"},
        b"3": {"\\Seen"},
        b"4": {"\\Seen"},
    }
    assert server.logged_out
    assert db.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
    # Polling again finds nothing unseen; the same mails again would be duplicates.
    assert mailbox.poll(db, settings, opener=lambda s: server).imported == []


def test_the_cli_imports_a_folder(cli, li_ming, inbox):
    folder = inbox("meter_fault.eml", "not_a_mail.eml")
    result = cli("service", "mail", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert "meter_fault.eml: created ticket #" in result.output
    assert "not_a_mail.eml: failed, moved to failed/: the mail has no sender address" in (
        result.output
    )
    assert "1 imported, 1 failed." in result.output
    missing = cli("service", "mail", "import", str(folder / "nowhere"))
    assert missing.exit_code == 1 and "is not a folder" in missing.output
    unset = cli("service", "mail", "poll")
    assert unset.exit_code == 1 and "no mailbox is configured" in unset.output


def test_the_schedule_reads_the_configured_folder(app, db, li_ming, inbox, tmp_path):
    from crm_service import jobs

    folder = inbox("meter_fault.eml")
    app.config.update(SERVICE_MAIL_DIR=str(folder), ATTACHMENTS_DIR=str(tmp_path / "files"))
    try:
        lines = jobs.fetch_mail(db, app)
    finally:
        app.config.pop("SERVICE_MAIL_DIR")
    assert len(lines) == 1 and lines[0].startswith("meter_fault.eml: created ticket #")
    assert (tmp_path / "files").is_dir()
