"""The channels a campaign can go out on: email and SMS, and those plugins offer.

A plugin offers one through ``crm_marketing_channels(registry)`` (published by
marketing's ``crm_addhooks``): its name, label, the customer column or expression
that holds the address, the host consent channel that governs it, and the adapter
that hands a message over. Email and SMS are registered by marketing itself through
the same hook. A campaign's channel is checked against this registry when it is
saved, so an unknown one is a ``ValidationFailed`` naming ``channel``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import PluginError, PluginRegistry, ValidationFailed, host_of
from crm_host.sdk.customers import CONSENT_CHANNELS

HOOK = "crm_marketing_channels"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,15}$")

#: ``deliver(session, campaign, send, context)``: put one message in the channel's
#: outbox or hand it to its provider, in the batch's transaction.
Adapter = Callable[[Session, Any, Any, dict[str, Any]], None]


@dataclass(frozen=True)
class Channel:
    """One way a campaign reaches a customer."""

    name: str
    label: Any
    #: A column or SQL expression on ``Customer`` holding the address.
    address: Any
    deliver: Adapter
    #: The host consent channel whose newest decision must grant it.
    consent: str
    #: Whether messages have a subject line (email does, SMS does not).
    subject: bool = False
    plugin: str = ""

    def address_column(self) -> sa.ColumnElement[str | None]:
        """The address as a column expression, for the audience query."""
        return self.address


class ChannelRegistry(PluginRegistry):
    """What ``crm_marketing_channels(registry)`` receives."""

    def __init__(self) -> None:
        super().__init__()
        self.channels: dict[str, Channel] = {}

    def add(
        self,
        name: str,
        *,
        label: Any,
        address: Any,
        deliver: Adapter,
        consent: str | None = None,
        subject: bool = False,
    ) -> None:
        """Offer the channel ``name`` (lower case, at most 16 characters).

        ``address`` is a column or SQL expression on the host's ``Customer``;
        ``consent`` (``name`` unless given) is one of the host's consent channels;
        ``deliver(session, campaign, send, context)`` hands one message over.
        """
        who = self.who
        if not _NAME.match(name):
            raise PluginError(f"{who}: channel name {name!r} must be lower-case, at most 16")
        if name in self.channels:
            raise PluginError(
                f"{who}: channel {name} is offered by {self.channels[name].plugin} already"
            )
        if not (isinstance(address, sa.ColumnElement) or hasattr(address, "__clause_element__")):
            raise PluginError(f"{who}: the address of channel {name} is not a column expression")
        if not callable(deliver):
            raise PluginError(f"{who}: the adapter of channel {name} is not callable")
        consent = consent or name
        if consent not in CONSENT_CHANNELS:
            raise PluginError(
                f"{who}: channel {name} needs one of the consent channels "
                + ", ".join(CONSENT_CHANNELS)
                + f", not {consent!r}"
            )
        self.channels[name] = Channel(
            name, label, address, deliver, consent, subject, self._plugin or ""
        )


def available(session: Session) -> dict[str, Channel]:
    """Every installed plugin's channels by name (marketing's email and SMS first).

    A bad or duplicate contribution is refused with a message naming the plugin.
    """
    host = host_of(session)
    implementations = host.plugins.implementations(HOOK)
    # Cached per set of contributors: a plugin registered later (tests do) is seen.
    key = tuple(name for name, _function, _args in implementations)
    cache = host.__dict__.setdefault("_marketing_channels", {})
    if key not in cache:
        registry = ChannelRegistry()
        for plugin, function, argnames in implementations:
            # Names stay bare (``email``, ``wechat``): they are what users type and
            # what campaigns store; a duplicate is refused naming both plugins.
            registry._plugin = plugin
            try:
                function(**{a: {"registry": registry}[a] for a in argnames})
            finally:
                registry._plugin = None
        cache.clear()
        cache[key] = registry.channels
    return cache[key]


def get(session: Session, name: Any) -> Channel:
    """The channel ``name``, or :class:`ValidationFailed` naming ``channel``."""
    found = available(session)
    if not isinstance(name, str) or name not in found:
        raise ValidationFailed(
            "unknown channel",
            details={"channel": ["Must be one of: " + ", ".join(sorted(found)) + "."]},
        )
    return found[name]
