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

from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, request
from werkzeug.wrappers import Response

from crm_host.core.errors import CrmError
from crm_host.core.host import get_host
from crm_host.links.handlers import LinkHandler, LinkHandlerRegistry
from crm_host.plugins._registering import register_from_plugins
from crm_host.security.permissions import mark_access

bp = Blueprint("links", __name__, url_prefix="/l")
EXTENSION = "crm_link_handlers"


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
