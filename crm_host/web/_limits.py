"""How large a request body may be, by what the route takes: JSON, an import, a file.

Every route takes a JSON (or form) body of at most ``MAX_JSON_BYTES`` unless its view
says otherwise with :func:`accepts_body`. The limit is the request's
``max_content_length``, so Werkzeug refuses a larger ``Content-Length`` before reading
anything, and stops a chunked body once the limit is read (on servers that terminate
the input stream — gunicorn, Werkzeug's; waitress buffers bodies itself and is given
the largest limit). Either way the answer is a 413 naming the limit and its setting.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Flask, current_app
from flask import Request as FlaskRequest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

F = TypeVar("F", bound=Callable[..., Any])

#: Body kinds and the setting that limits each.
KINDS = {
    "json": "MAX_JSON_BYTES",
    "import": "MAX_IMPORT_BYTES",
    "attachment": "MAX_UPLOAD_BYTES",
}
DEFAULTS = {
    "MAX_JSON_BYTES": 1024 * 1024,
    "MAX_IMPORT_BYTES": 100 * 1024 * 1024,
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,
}
#: Room for the multipart envelope (boundaries, part headers, form fields) around a file.
ENVELOPE = 64 * 1024
_WHAT = {"json": "request bodies", "import": "import files", "attachment": "attachments"}


def accepts_body(kind: str) -> Callable[[F], F]:
    """Mark a view (function or MethodView method) as taking a body of ``kind``:
    ``"import"`` or ``"attachment"`` (multipart), or ``"json"`` (the default)."""
    if kind not in KINDS:
        raise ValueError(f"unknown body kind {kind!r}: one of {', '.join(KINDS)}")

    def mark(view: F) -> F:
        view.crm_body_kind = kind  # type: ignore[attr-defined]
        return view

    return mark


def body_kind(request: FlaskRequest) -> str:
    """The body kind the matched view declares (``"json"`` when it declares none)."""
    if request.url_rule is None or not current_app:
        return "json"
    view = current_app.view_functions.get(request.url_rule.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None)
    return getattr(view, "crm_body_kind", "json")


def limit_of(app: Flask, kind: str) -> int:
    """The largest body a route of ``kind`` takes, in bytes (the envelope included)."""
    name = KINDS[kind]
    limit = int(app.config.get(name) or DEFAULTS[name])
    return limit if kind == "json" else limit + ENVELOPE


def largest_limit(app: Flask) -> int:
    """The largest body any route takes: what a buffering server may accept at most."""
    return max(limit_of(app, kind) for kind in KINDS)


class CappedStream(io.RawIOBase):
    """A body of unknown length (chunked) that raises a 413 on its ``limit + 1``-th byte.

    Werkzeug's own wrapper stops quietly at the limit, so a chunked body one byte or
    one gigabyte too long would be read as a body cut at the limit.
    """

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # Ask for one byte past the limit at most: getting it proves the body too long.
        wanted = min(len(buffer), self._limit + 1 - self._read)
        data = self._stream.read(wanted) if wanted > 0 else b""
        self._read += len(data)
        if self._read > self._limit:
            raise RequestEntityTooLarge()
        buffer[: len(data)] = data
        return len(data)


class Request(FlaskRequest):
    """Flask's request, whose ``max_content_length`` is the matched route's limit."""

    @cached_property
    def stream(self) -> IO[bytes]:  # type: ignore[override]
        """The body, read no further than the route's limit (a 413 past it)."""
        if self.shallow:
            raise RuntimeError("a shallow request does not read its body")
        limit = self.max_content_length
        terminated = "wsgi.input_terminated" in self.environ
        if self.content_length is None and terminated and limit is not None:
            return CappedStream(self.environ["wsgi.input"], limit)
        return get_input_stream(self.environ, max_content_length=limit)

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is not None:
            return self._max_content_length
        if not current_app:
            return super().max_content_length
        return limit_of(current_app, body_kind(self))

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def too_large(app: Flask, request: FlaskRequest) -> tuple[str, int]:
    """The message of a 413 for ``request`` (naming the limit and its setting), and the limit."""
    kind = body_kind(request)
    limit = limit_of(app, kind)
    message = (
        f"The request body is larger than the limit of {limit:,} bytes for "
        f"{_WHAT[kind]} (setting CRM_{KINDS[kind]})."
    )
    return message, limit


def init_app(app: Flask) -> None:
    """Limit request bodies by the route's kind (the 413 is answered by the API's errors)."""
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, default)
    app.request_class = Request
