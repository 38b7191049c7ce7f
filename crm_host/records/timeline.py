"""The customer timeline: the one API through which the host and plugins record touchpoints.

An entry is shown to users whose departments have its source plugin enabled; host
entries (``source_plugin=None``) to everyone who may see the customer.

An entry names the object it is about as a typed reference from the object registry:
``about=("service.ticket", 12)`` — a registered type and the object's id. Readers
get the object's label and link only when the registry lets them read it
(:mod:`crm_host.core.objects.links`). ``reference`` is something else: an opaque key
private to the writing plugin (a response recorded once per kind), which nothing
else — the host, another plugin, a report — may parse or rely on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.db import utcnow
from crm_host.core.errors import ValidationFailed
from crm_host.core.models import Interaction, User

CHANNELS = (
    "phone",
    "email",
    "sms",
    "visit",
    "meeting",
    "portal",
    "web",
    "chat",
    "letter",
    "note",
    "system",
    "order",
    "ticket",
    "campaign",
    "meter",
)
DIRECTIONS = ("inbound", "outbound", "internal")


def add_entry(
    session: Session,
    *,
    customer_id: int,
    channel: str,
    subject: str,
    source_plugin: str | None = None,
    direction: str = "internal",
    body: str | None = None,
    occurred_at: datetime | None = None,
    author: User | None = None,
    reference: str | None = None,
    about: tuple[str, int] | None = None,
) -> Interaction:
    """Record a touchpoint on a customer's timeline in the caller's transaction.

    ``about`` is the registered object ``(type, id)`` the entry concerns
    (``("sales.order", 7)``); ``reference`` the writer's own opaque key.
    """
    entry = Interaction(
        **entry_values(
            session,
            customer_id=customer_id,
            channel=channel,
            subject=subject,
            source_plugin=source_plugin,
            direction=direction,
            body=body,
            occurred_at=occurred_at,
            author=author,
            reference=reference,
            about=about,
        )
    )
    session.add(entry)
    session.flush()
    return entry


def write_entry(
    session: Session, actor: User | None, customer_id: int, **fields: Any
) -> Interaction:
    """A user records a touchpoint (a call, a visit, a note) on a customer's timeline.

    Writing on the timeline is changing the customer: ``actor`` must pass the
    customer's write rule (:func:`crm_host.core.objects.check_object`, type ``customer``)
    — the check ``PATCH`` of the customer makes — and the entry is audited like
    every other write. ``fields`` are :func:`add_entry`'s; an entry ``about`` an
    object needs the actor to read it (one they may not is the same 404 as a missing one).
    """
    from crm_host.core.objects import check_object
    from crm_host.records import audit

    check_object(session, actor, "customer", customer_id, write=True)
    if fields.get("about") is not None:
        object_type, object_id, problem = _about(session, fields["about"])
        if problem:
            raise ValidationFailed("the timeline entry is not valid", details={"about": [problem]})
        # Naming an object on the timeline shows its label: only one the actor may read.
        check_object(session, actor, object_type, object_id)
    entry = add_entry(session, customer_id=customer_id, author=actor, **fields)
    audit.record(
        session,
        "create",
        "interaction",
        entry.id,
        after={
            "customer_id": customer_id,
            "channel": entry.channel,
            "direction": entry.direction,
            "subject": entry.subject,
            "reference": entry.reference,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
        },
        actor=actor,
    )
    return entry


def add_entries(session: Session, entries: Iterable[Mapping[str, Any]]) -> int:
    """Record many touchpoints at once in the caller's transaction; returns how many.

    Each mapping takes :func:`add_entry`'s keyword arguments. They are checked by the
    same rules, all before anything is written, and inserted with one executemany, so
    a job writing thousands of entries (a campaign send) pays for one statement, not
    one flush each. A bad entry raises :class:`ValidationFailed` whose fields are
    prefixed with its position (``3.subject``), and nothing is written.
    """
    rows = []
    for n, entry in enumerate(entries):
        try:
            rows.append(entry_values(session, **entry))
        except ValidationFailed as error:
            raise ValidationFailed(
                f"timeline entry {n} is not valid",
                details={f"{n}.{field}": problems for field, problems in error.details.items()},
            ) from None
        except TypeError as error:  # an unknown or missing argument
            raise ValidationFailed(
                f"timeline entry {n} is not valid", details={str(n): [str(error)]}
            ) from None
    if rows:
        session.execute(sa.insert(Interaction), rows)
    return len(rows)


def entry_values(
    session: Session,
    /,
    *,
    customer_id: int,
    channel: str,
    subject: str,
    source_plugin: str | None = None,
    direction: str = "internal",
    body: str | None = None,
    occurred_at: datetime | None = None,
    author: User | None = None,
    reference: str | None = None,
    about: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """The columns of a timeline entry, checked: the one set of rules behind
    :func:`add_entry` and :func:`add_entries`.

    Raises :class:`ValidationFailed` naming each field that is not valid (``about``
    when it is no ``(registered type, id)`` pair).
    """
    errors: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        errors["channel"] = ["Must be one of: " + ", ".join(CHANNELS) + "."]
    if direction not in DIRECTIONS:
        errors["direction"] = ["Must be one of: " + ", ".join(DIRECTIONS) + "."]
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 300:
        errors["subject"] = ["Required, at most 300 characters."]
    if body is not None and len(body) > 100_000:
        errors["body"] = ["At most 100,000 characters."]
    object_type, object_id, problem = _about(session, about)
    if problem:
        errors["about"] = [problem]
    if errors:
        raise ValidationFailed("the timeline entry is not valid", details=errors)
    return {
        "customer_id": customer_id,
        "source_plugin": source_plugin,
        "channel": channel,
        "direction": direction,
        "subject": subject.strip(),
        "body": body,
        "occurred_at": occurred_at or utcnow(),
        "author_id": author.id if author else None,
        "reference": reference,
        "object_type": object_type,
        "object_id": object_id,
    }


def _about(session: Session, about: Any) -> tuple[str | None, int | None, str | None]:
    """``about`` as ``(object_type, object_id, None)``, or ``(None, None, why not)``."""
    if about is None:
        return None, None, None
    if not isinstance(about, tuple | list) or len(about) != 2:
        return None, None, "A pair (object type, id)."
    from crm_host.core.objects import object_registry

    type_name, raw_id = about
    registry = object_registry(session)
    spec = registry.get(type_name) if isinstance(type_name, str) else None
    if spec is None:
        known = ", ".join(sorted(registry.types))
        return None, None, f"Unknown object type {type_name!r}; one of: {known}."
    key = spec.key(raw_id) if not isinstance(raw_id, bool) else None
    if not isinstance(key, int) or key <= 0:
        return None, None, f"The id of a {spec.name} is a positive integer."
    return spec.name, key, None


def visible_to(plugins: set[str]) -> sa.ColumnElement[bool]:
    """The condition for entries visible to a user whose departments have ``plugins``."""
    return sa.or_(Interaction.source_plugin.is_(None), Interaction.source_plugin.in_(plugins))
