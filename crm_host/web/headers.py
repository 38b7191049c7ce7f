"""Security headers on every response: console pages, API answers, errors, static files.

The Content-Security-Policy lets pages run only the console's own scripts and styles
(htmx, ECharts and the console's files are served locally) plus the inline blocks a
template marks with this request's nonce (``<script nonce="{{ csp_nonce() }}">``);
no inline event handlers or ``style`` attributes, no plugins, no framing by other
sites. ``nosniff`` makes browsers keep to the declared Content-Type, and the referrer
never leaves the site, so a signed link's token is never sent elsewhere.
"""

from __future__ import annotations

import secrets

from flask import Flask, g, has_request_context
from werkzeug.wrappers import Response

#: Every response gets these unless its view set its own.
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's nonce for an inline ``<script>`` or ``<style>`` ("" outside a request,
    e.g. a report rendered to PDF by a job)."""
    if not has_request_context():
        return ""
    if "crm_csp_nonce" not in g:
        g.crm_csp_nonce = secrets.token_urlsafe(18)
    return g.crm_csp_nonce


def content_security_policy(nonce: str) -> str:
    """The policy of console pages and API answers, allowing inline blocks with ``nonce``."""
    own = f"'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {own}",
            f"style-src {own}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


#: For files users uploaded: nothing in them may run, even if a browser renders them.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def add_security_headers(response: Response) -> Response:
    """Set the security headers a response does not set itself."""
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every response and give templates ``csp_nonce()``."""
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
