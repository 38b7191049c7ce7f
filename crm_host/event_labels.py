"""How an event presents itself to users: a label on its hookspec.

An event whose hookspec declares a ``customer_ids`` argument concerns customers, and
anything that reacts to customers — marketing's journeys, for one — may offer it
without knowing the plugin that publishes it. The publisher says what to call the
event, and optionally which payload entry a user may choose on, by decorating the
hookspec with :func:`event_label`; the host reads it back with :func:`label_of`.

This module imports nothing of the host, so the host's own hookspecs can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute :func:`event_label` sets on a hookspec function.
ATTRIBUTE = "crm_event_label"


@dataclass(frozen=True)
class EventLabel:
    """What an event is called, and what a user may choose on in its payload."""

    #: Shown where users pick the event (a lazy translated string or text).
    label: Any
    #: The payload argument a choice compares with, e.g. ``clock``; ``None``: no choice.
    choose_on: str | None = None
    #: What the choice is called (e.g. "SLA clock").
    option: Any = None
    #: The values the choice allows.
    choices: tuple[str, ...] = ()


def event_label(
    label: Any,
    *,
    choose_on: str | None = None,
    option: Any = None,
    choices: tuple[str, ...] | list[str] = (),
) -> Callable[[F], F]:
    """Decorate an event hookspec with the label users see when they pick the event.

    ``choose_on`` names a payload argument users may require a value of (one of
    ``choices``, presented as ``option``). Place it above or below ``@hookspec``::

        @hookspec
        @event_label(_l("Ticket resolved"))
        def crm_service_ticket_resolved(ticket_id: int, customer_ids: list[int]) -> None: ...
    """
    if (choose_on is None) != (not choices):
        raise ValueError("event_label: give choose_on and choices together, or neither")

    def mark(function: F) -> F:
        setattr(function, ATTRIBUTE, EventLabel(label, choose_on, option, tuple(choices)))
        return function

    return mark


def label_of(function: Any) -> EventLabel | None:
    """The label a hookspec function was given with :func:`event_label`, if any."""
    found = getattr(function, ATTRIBUTE, None)
    return found if isinstance(found, EventLabel) else None
