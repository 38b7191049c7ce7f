"""What plugins register for the signed-link page: a handler per link purpose.

Apart from the page (:mod:`crm_host.links.page`), which serves the links, so that the
registration hook's contract names this registry without reaching the web layer.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm_host.plugins._registering import PluginRegistry
from crm_host.plugins.manifest import PluginError

_PURPOSE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]{0,62}$")


@dataclass(frozen=True)
class LinkHandler:
    """What a plugin does when a signed link of ``purpose`` is confirmed."""

    purpose: str
    handler: Callable[..., Any]
    label: Any
    plugin: str
    #: A template of form fields shown inside the confirming form, or ``None``.
    fields: str | None = None
    #: Whether the handler takes the posted ``form``.
    wants_form: bool = False
    #: ``context(session=…, token=…)`` → what the fields template shows (a ticket's
    #: status…); it reads the token itself and changes nothing.
    context: Callable[..., dict[str, Any]] | None = None
    #: Run on opening (GET) and answer with the handler's own response: tracking.
    on_open: bool = False


class LinkHandlerRegistry(PluginRegistry):
    """What ``crm_register_link_handlers(registry)`` receives."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: dict[str, LinkHandler] = {}

    def add(
        self,
        purpose: str,
        handler: Callable[..., Any],
        *,
        label: Any = "",
        fields: str | None = None,
        context: Callable[..., dict[str, Any]] | None = None,
        on_open: bool = False,
    ) -> None:
        """Handle confirmed links of ``purpose`` (``<slug>.<name>``) with ``handler``.

        ``fields`` names a template of inputs for the confirming form; the handler
        then receives what was posted as ``form``. ``context`` gives that template
        what it shows besides the inputs. ``on_open`` runs the handler when the link
        is opened, without confirming (tracking pixels and links); it may return a
        response (an image, a redirect) instead of a message.
        """
        who = self.who
        if not _PURPOSE.match(purpose) or not purpose.startswith(f"{self._slug}."):
            raise PluginError(f"{who}: link purpose {purpose!r} must be {self._slug}.<name>")
        if not callable(handler):
            raise PluginError(f"{who}: the handler of {purpose} is not callable")
        if purpose in self.handlers:
            raise PluginError(f"{who}: links of {purpose} have a handler already")
        wants_form = "form" in inspect.signature(handler).parameters
        if fields is not None and not wants_form:
            raise PluginError(f"{who}: the handler of {purpose} has fields but takes no form")
        if on_open and (fields is not None or wants_form):
            raise PluginError(f"{who}: the handler of {purpose} runs on opening: it has no form")
        self.handlers[purpose] = LinkHandler(
            purpose,
            handler,
            label or purpose,
            self._plugin or "",
            fields,
            wants_form,
            context,
            on_open,
        )
