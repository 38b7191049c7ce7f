"""Notifications in the console and by email: the outbox by default, SMTP when configured."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm_host.core.models import EmailMessage
from crm_host.records.notifications import SmtpSettings, notify, queue_email, send_pending_emails
from crm_host.testing.servers import free_port


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def test_in_app_notifications_are_private_to_their_user(app, db, make_user, client_for):
    ann, bob = make_user("ann"), make_user("bob")
    note = notify(
        db, ann, kind="ticket.assigned", title="工单 #42 分配给你", link="/service/tickets/42"
    )
    db.commit()
    mine = client_for(ann).get("/api/v1/notifications").json
    assert mine["unread"] == 1 and mine["items"][0]["title"] == "工单 #42 分配给你"
    assert client_for(bob).get("/api/v1/notifications").json["items"] == []
    assert client_for(bob).post(f"/api/v1/notifications/{note.id}/read").status_code == 404
    assert client_for(ann).post(f"/api/v1/notifications/{note.id}/read").json["read_at"]
    assert client_for(ann).get("/api/v1/notifications?unread_only=true").json["unread"] == 0


def test_email_goes_to_the_outbox_and_then_through_smtp(app, db, make_user):
    user = make_user("carol")
    user.email = "carol@example.cn"
    notify(db, user, kind="sla.breach", title="SLA breached", body="Ticket 7 is late.", email=True)
    db.commit()
    queued = db.scalars(sa.select(EmailMessage)).all()
    assert [(m.to_address, m.status) for m in queued] == [("carol@example.cn", "queued")]

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = SmtpSettings(
            server="127.0.0.1", port=port, use_tls=False, sender="crm@example.cn"
        )
        assert send_pending_emails(db, settings) == 1
    finally:
        controller.stop()
    [(recipients, content)] = inbox.messages
    assert recipients == ["carol@example.cn"] and "Ticket 7 is late." in content
    assert db.scalar(sa.select(EmailMessage.status)) == "sent"
    assert send_pending_emails(db, settings) == 0  # nothing is sent twice


def test_an_unreachable_server_counts_attempts_and_parks(app, db):
    queue_email(db, to="x@example.cn", subject="hello", text="body")
    settings = SmtpSettings(server="127.0.0.1", port=free_port(), use_tls=False)
    for _ in range(5):
        assert send_pending_emails(db, settings) == 0
    message = db.scalar(sa.select(EmailMessage))
    assert (
        message.status == "failed"
        and message.attempts == 5
        and "cannot reach" in message.last_error
    )


def test_header_injection_is_refused(db):
    from crm_host.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        queue_email(db, to="a@example.cn\nBcc: all@example.cn", subject="x", text="y")
    with pytest.raises(ValidationFailed):
        queue_email(db, to="a@example.cn", subject="x\r\nBcc: all@example.cn", text="y")


def test_many_emails_are_queued_at_once_by_the_same_rules(db):
    from crm_host.core.errors import ValidationFailed
    from crm_host.records.notifications import queue_emails

    one = queue_email(db, to="one@example.cn", subject="单封", text="a")
    assert (
        queue_emails(
            db,
            [
                {"to": "two@example.cn", "subject": "x" * 400, "text": "b"},
                {"to": "three@example.cn", "subject": "三", "text": "c", "html": "<p>c</p>"},
            ],
        )
        == 2
    )
    assert queue_emails(db, []) == 0
    rows = db.execute(
        sa.select(
            EmailMessage.id,
            EmailMessage.to_address,
            EmailMessage.subject,
            EmailMessage.body_text,
            EmailMessage.body_html,
            EmailMessage.status,
            EmailMessage.attempts,
        ).order_by(EmailMessage.id)
    ).all()
    # Column defaults apply as for one email; the subject is cut to 300 as for one.
    assert [tuple(r[1:]) for r in rows] == [
        ("one@example.cn", "单封", "a", None, "queued", 0),
        ("two@example.cn", "x" * 300, "b", None, "queued", 0),
        ("three@example.cn", "三", "c", "<p>c</p>", "queued", 0),
    ]
    assert rows[0].id == one.id < rows[1].id < rows[2].id
    assert all(db.scalars(sa.select(EmailMessage.created_at)))

    # One bad email refuses the lot, naming it by position; nothing more is queued.
    with pytest.raises(ValidationFailed) as refused:
        queue_emails(
            db,
            [
                {"to": "four@example.cn", "subject": "ok", "text": "d"},
                {"to": "five@example.cn", "subject": "x\r\nBcc: all@example.cn", "text": "e"},
            ],
        )
    assert refused.value.details == {"1.subject": ["One line only."]}
    with pytest.raises(ValidationFailed) as refused:
        queue_emails(db, [{"to": "no-at-sign", "subject": "x", "text": "y"}])
    assert refused.value.details == {"0.to": ["Not an email address."]}
    with pytest.raises(ValidationFailed) as refused:
        queue_emails(db, [{"to": "six@example.cn", "subject": "x"}])
    assert list(refused.value.details) == ["0"] and "text" in refused.value.details["0"][0]
    assert db.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 3
