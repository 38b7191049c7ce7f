"""Notifications: in the console for staff, and email through an outbox table.

Every email is written to ``email_outbox`` in the caller's transaction — the record
of what was sent, and nothing is lost if the mail server is down. The
``host.send_email`` job sends what is queued through SMTP when ``CRM_MAIL_SERVER``
is set; without it the outbox is the delivery (the embedded default needs no
mail server).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core import objects
from crm_host.core.db import utcnow
from crm_host.core.errors import NotFound, NotVisible, ValidationFailed
from crm_host.core.models import EmailMessage, Notification, User

MAX_ATTEMPTS = 5
SEND_JOB = "host.send_email"


def notify(
    session: Session,
    user: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    plugin: str | None = None,
    email: bool = False,
    about: tuple[str, Any] | None = None,
) -> Notification:
    """Tell a user something in the console, and by email too when ``email`` and they have one.

    ``about`` is the registered object ``(type, id)`` it concerns (a ticket, an
    activity): the user sees the notification only while the object registry lets
    them read that object, and only while one of their departments has ``plugin``.
    """
    if not title.strip() or len(title) > 300:
        raise ValidationFailed(
            "a notification needs a title", details={"title": ["1–300 characters."]}
        )
    object_type = object_id = None
    if about is not None:
        object_type = objects.object_type(session, about[0]).name
        object_id = str(about[1])
    note = Notification(
        user_id=user.id,
        kind=kind[:64],
        title=title.strip(),
        body=body,
        link=link,
        plugin=plugin,
        object_type=object_type,
        object_id=object_id,
    )
    session.add(note)
    if email and user.email:
        queue_email(
            session, to=user.email, subject=title, text=body + (f"\n\n{link}" if link else "")
        )
    session.flush()
    return note


def queue_email(
    session: Session, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """Put an email in the outbox (it commits with the caller's transaction)."""
    message = EmailMessage(**email_values(to=to, subject=subject, text=text, html=html))
    session.add(message)
    session.flush()
    return message


def queue_emails(session: Session, emails: Iterable[Mapping[str, Any]]) -> int:
    """Put many emails in the outbox at once (committing with the caller's transaction);
    returns how many.

    Each mapping takes :func:`queue_email`'s keyword arguments (``to``, ``subject``,
    ``text``, optionally ``html``). They are checked by the same rules, all before
    anything is written, and inserted with one executemany: a campaign of thousands
    of messages pays for one statement a batch, not one flush a message. A bad email
    raises :class:`ValidationFailed` whose fields are prefixed with its position
    (``3.to``), and nothing is queued.
    """
    rows = []
    for n, email in enumerate(emails):
        try:
            rows.append(email_values(**email))
        except ValidationFailed as error:
            raise ValidationFailed(
                f"email {n} cannot be queued",
                details={f"{n}.{field}": problems for field, problems in error.details.items()},
            ) from None
        except TypeError as error:  # an unknown or missing argument
            raise ValidationFailed(
                f"email {n} cannot be queued", details={str(n): [str(error)]}
            ) from None
    if rows:
        session.execute(sa.insert(EmailMessage), rows)
    return len(rows)


def email_values(*, to: str, subject: str, text: str, html: str | None = None) -> dict[str, Any]:
    """The outbox columns of an email, checked: the one set of rules behind
    :func:`queue_email` and :func:`queue_emails`.

    Raises :class:`ValidationFailed` naming ``to`` or ``subject``.
    """
    if not isinstance(to, str) or "@" not in to or len(to) > 320 or "\n" in to or "\r" in to:
        raise ValidationFailed("not an email address", details={"to": ["Not an email address."]})
    if not isinstance(subject, str) or "\n" in subject or "\r" in subject:  # header injection
        raise ValidationFailed("the subject is one line", details={"subject": ["One line only."]})
    return {"to_address": to, "subject": subject[:300], "body_text": text, "body_html": html}


def of_user(session: Session, user: User) -> sa.Select[tuple[Notification]]:
    """The user's notifications whose plugin one of their departments has (or the host's).

    Rows about an object may still be hidden by its record rule: pass them through
    :func:`shown`.
    """
    plugins = objects.enabled_plugins(session, user)
    return sa.select(Notification).where(
        Notification.user_id == user.id,
        sa.or_(Notification.plugin.is_(None), Notification.plugin.in_(plugins)),
    )


def shown(session: Session, user: User, notes: Iterable[Notification]) -> list[Notification]:
    """``notes`` without those about an object ``user`` may no longer read (one query a type)."""
    notes = list(notes)
    refs = [(n.object_type, n.object_id) for n in notes if n.object_type is not None]
    readable = objects.readable(session, user, refs) if refs else set()
    return [n for n in notes if n.object_type is None or (n.object_type, n.object_id) in readable]


def with_objects(
    session: Session, user: User, notes: Iterable[Notification]
) -> list[dict[str, Any]]:
    """``notes`` as dicts of their columns plus ``object``: the link of the object each is
    about (:func:`crm_host.core.objects.links.object_links`), ``None`` when it has none."""
    from crm_host.core.objects.links import link_of, object_links

    notes = list(notes)
    links = object_links(session, user, [(n.object_type, n.object_id) for n in notes])
    columns = [c.key for c in sa.inspect(Notification).column_attrs]
    return [
        {
            **{name: getattr(n, name) for name in columns},
            "object": link_of(links, n.object_type, n.object_id),
        }
        for n in notes
    ]


def unread(session: Session, user: User) -> int:
    """How many notifications the user has not read (of those shown to them)."""
    query = of_user(session, user).where(Notification.read_at.is_(None))
    plain = session.scalar(
        sa.select(sa.func.count()).select_from(
            query.where(Notification.object_type.is_(None)).subquery()
        )
    )
    about = session.scalars(query.where(Notification.object_type.is_not(None))).all()
    return (plain or 0) + len(shown(session, user, about))


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (others' do not exist for them, nor
    those about an object they may no longer read)."""
    missing = f"no notification with id {notification_id}"
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound(missing)
    hidden = note.plugin is not None and note.plugin not in objects.enabled_plugins(session, user)
    if hidden:
        raise NotVisible(
            missing,
            reason=f"notification {note.id} is of the plugin {note.plugin}, "
            "which the user's departments do not have",
            plugin=note.plugin,
        )
    if not shown(session, user, [note]):
        raise NotVisible(
            missing,
            reason=f"notification {note.id} is about {note.object_type} {note.object_id}, "
            "which the user may not read",
            plugin=note.plugin,
        )
    if note.read_at is None:
        note.read_at = utcnow()
    return note


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail (``CRM_MAIL_*``)."""

    server: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    use_tls: bool = True
    sender: str = "crm@localhost"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """The settings, or ``None`` when no mail server is configured."""
        server = config.get("MAIL_SERVER")
        if not server:
            return None
        return cls(
            server=server,
            port=int(config.get("MAIL_PORT", 587)),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=str(config.get("MAIL_USE_TLS", "true")).lower() in ("1", "true", "yes"),
            sender=config.get("MAIL_DEFAULT_SENDER", "crm@localhost"),
        )


def send_pending_emails(session: Session, settings: SmtpSettings, *, limit: int = 100) -> int:
    """Send queued emails through SMTP; failures count attempts and park after the last.

    Each message's outcome is written in ``session``; returns how many were sent.
    """
    messages = session.scalars(
        sa.select(EmailMessage)
        .where(EmailMessage.status == "queued")
        .order_by(EmailMessage.id)
        .limit(limit)
    ).all()
    if not messages:
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=30)
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _failed(message, f"cannot reach {settings.server}:{settings.port}: {error}")
        return 0
    with smtp:
        for message in messages:
            mime = MimeMessage()
            mime["From"], mime["To"], mime["Subject"] = (
                settings.sender,
                message.to_address,
                message.subject,
            )
            mime["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
            mime.set_content(message.body_text)
            if message.body_html:
                mime.add_alternative(message.body_html, subtype="html")
            try:
                smtp.send_message(mime)
            except smtplib.SMTPException as error:
                _failed(message, str(error))
                continue
            message.status, message.sent_at, message.attempts = (
                "sent",
                utcnow(),
                message.attempts + 1,
            )
            sent += 1
    return sent


def _failed(message: EmailMessage, error: str) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"


def send_email_job(job: Any) -> None:
    """The ``host.send_email`` job: send the queued outbox when SMTP is configured."""
    settings = SmtpSettings.from_config(job.app.config)
    if settings is not None:
        send_pending_emails(job.session, settings)


def scrub_notifications(session: Session, secrets: set[str]) -> None:
    """Erasure: take a customer's personal values out of notifications and emails."""
    from crm_host.core.scrubbing import scrub_json_column

    for table, columns in (
        (Notification.__table__, ("title", "body")),
        (EmailMessage.__table__, ("subject", "body_text", "body_html")),
    ):
        for column in columns:
            scrub_json_column(session, table.c[column], table.c.id, secrets)
