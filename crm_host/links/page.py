"""The public page behind signed links: ``/l/<purpose>/<token>``.

Recipients of a survey, an unsubscribe link or a portal invitation are not users
here; this page is the one place they reach without signing in. Opening a link only
shows what it will do (mail scanners open links: a GET changes nothing); confirming
calls the handler the owning plugin registered through
``crm_register_link_handlers`` and shows its message. A handler that needs answers
(a survey's score, a portal reply) names a template of form fields, shown inside
the confirming form, and takes a ``form`` argument with what was posted.

Tracking links are the exception, registered with ``on_open=True``: an email's open
pixel and its tracked links must act when loaded, with no page in between. Their
handler runs on the GET and returns the response itself — an image, or a redirect
to the address its signed token carries (never one taken from the request, so the
page is no open redirect); it must be idempotent, since scanners and image proxies
load links too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, request
from werkzeug.wrappers import Response

from crm_host.core.errors import CrmError
from crm_host.core.host import get_host
from crm_host.plugins._registering import PluginRegistry, register_from_plugins
from crm_host.plugins.manifest import PluginError
from crm_host.security.permissions import mark_access

bp = Blueprint("links", __name__, url_prefix="/l")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]{0,62}$")
EXTENSION = "crm_link_handlers"


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


def init_app(app: Flask) -> None:
    """Collect the loaded plugins' link handlers and serve their page."""
    registry = LinkHandlerRegistry()
    register_from_plugins(get_host(app).plugins, "crm_register_link_handlers", registry)
    app.extensions[EXTENSION] = registry
    app.register_blueprint(bp)


def _handler(purpose: str) -> LinkHandler:
    found = current_app.extensions[EXTENSION].handlers.get(purpose)
    if found is None:
        abort(404)
    return found


def _run(handler: LinkHandler, token: str) -> tuple[str, int] | str | Response:
    """Call the handler in a transaction; its response, or its message on the page."""
    session = get_host().session
    try:
        extra = {"form": request.form} if handler.wants_form else {}
        answer = handler.handler(session=session, token=token, **extra)
        session.commit()
    except CrmError as error:  # a LinkError too: bad, expired or used
        session.rollback()
        return render_template("crm/link.html", handler=handler, error=error.message), error.status
    if isinstance(answer, Response):
        # The token is in this page's address: the next site must not see it.
        answer.headers.setdefault("Referrer-Policy", "no-referrer")
        answer.headers.setdefault("Cache-Control", "no-store")
        return answer
    return render_template("crm/link.html", handler=handler, done=answer)


@bp.route("/<purpose>/<token>", methods=["GET"])
def show(purpose: str, token: str) -> tuple[str, int] | str | Response:
    """What the link will do, with a button to confirm it; a tracking link acts at once."""
    handler = _handler(purpose)
    if handler.on_open:
        return _run(handler, token)
    extra: dict[str, Any] = {}
    if handler.context is not None:
        try:
            extra = handler.context(session=get_host().session, token=token)
        except CrmError as error:  # a bad or expired token: say so before any typing
            return render_template(
                "crm/link.html", handler=handler, error=error.message
            ), error.status
    return render_template("crm/link.html", handler=handler, token=token, done=None, **extra)


@bp.route("/<purpose>/<token>", methods=["POST"])
def confirm(purpose: str, token: str) -> tuple[str, int] | str | Response:
    """Do what the link is for; the plugin's message, or why the link cannot be used."""
    return _run(_handler(purpose), token)


# Anybody holding the link may open it: the signed token is the credential.
mark_access(show, "public")
mark_access(confirm, "public")
