"""Notifications in the console and by email: the outbox by default, SMTP when configured."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from crm_host.models import EmailMessage
from crm_host.notifications import SmtpSettings, notify, queue_email, send_pending_emails
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
    from crm_host.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        queue_email(db, to="a@example.cn\nBcc: all@example.cn", subject="x", text="y")
    with pytest.raises(ValidationFailed):
        queue_email(db, to="a@example.cn", subject="x\r\nBcc: all@example.cn", text="y")
