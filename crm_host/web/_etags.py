"""ETags from record versions, and ``If-Match`` checked against them (RFC 9110 §13.1.1).

Views of a versioned object (:class:`crm_host.core.versioning.Versioned`) call
:func:`send_etag` on the object they answer with, and :func:`check_if_match` before
they change or delete it::

    ticket = load(ticket_id)
    check_if_match(ticket)        # 412 when stale, 428 when required and missing
    change(ticket); session.commit()
    return send_etag(ticket)      # the new version's ETag on the answer

The ETag is strong (``"<id>.<version>"``): a version names one state of the record,
and ``If-Match`` compares strongly, so a weak tag (``W/"..."``) never matches. ``*``
matches any existing record. Without ``If-Match`` the write goes ahead unless
``CRM_REQUIRE_IF_MATCH`` is true, then it is refused with 428.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, after_this_request, current_app, request

from crm_host.core.errors import PreconditionFailed, PreconditionRequired
from crm_host.core.versioning import is_versioned

T = TypeVar("T")

STALE_MESSAGE = "the record was changed by someone else since you read it (version {current})"


def etag_value(obj: Any) -> str:
    """The opaque tag of ``obj``'s current version, unquoted: ``"<id>.<version>"``."""
    if not is_versioned(obj):
        raise TypeError(f"{type(obj).__name__} has no version")
    return f"{obj.id}.{obj.version}"


def etag_for(obj: Any) -> str:
    """The ``ETag`` header value of ``obj``: its version as a strong, quoted entity tag."""
    return f'"{etag_value(obj)}"'


def if_match_required() -> bool:
    """Whether writes without ``If-Match`` are refused (``CRM_REQUIRE_IF_MATCH``)."""
    value = current_app.config.get("REQUIRE_IF_MATCH", False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def check_if_match(obj: Any) -> None:
    """Refuse the write unless the request's ``If-Match`` names ``obj``'s current version.

    No header: allowed, or :class:`PreconditionRequired` (428) when the setting asks
    for it. A header none of whose strong tags is current (weak tags never match,
    ``*`` always does): :class:`PreconditionFailed` (412); the object is untouched.
    """
    if "If-Match" not in request.headers:
        if if_match_required():
            raise PreconditionRequired(
                "this server requires If-Match on writes: send the ETag of your last read",
                details={"If-Match": ["missing"]},
            )
        return
    tags = request.if_match
    if tags.star_tag or tags.contains(etag_value(obj)):
        return
    raise PreconditionFailed(
        STALE_MESSAGE.format(current=obj.version),
        details={"If-Match": [f"expected {etag_for(obj)}"]},
    )


def send_etag(obj: T) -> T:
    """Put ``obj``'s ETag on the successful answer of this request; returns ``obj``.

    The tag is read when the answer goes out, so a view may call this before it
    commits and the header still carries the version the commit wrote.
    """

    @after_this_request
    def _add_etag(response: Response) -> Response:
        if 200 <= response.status_code < 300:
            response.headers["ETag"] = etag_for(obj)
        return response

    return obj


_ETAG_HEADER = {
    "description": "The record's version as a strong entity tag; send it back as If-Match.",
    "schema": {"type": "string", "example": '"42.3"'},
}
_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        "The ETag of your last read: the write is refused with 412 when the record has "
        "changed since (weak tags never match; * matches). Required (else 428) when the "
        "server sets CRM_REQUIRE_IF_MATCH."
    ),
}
_PRECONDITION_RESPONSES = {
    "412": {"description": "If-Match names a version the record no longer has; nothing changed."},
    "428": {"description": "This server requires If-Match on writes and none was sent."},
}


def documents_etag(blp: Any, status: int = 200) -> Any:
    """Decorator documenting the ``ETag`` header on a read or write route's answer."""
    return blp.doc(responses={status: {"headers": {"ETag": _ETAG_HEADER}}})


def documents_if_match(blp: Any, status: int | None = 200) -> Any:
    """Decorator documenting a write route's ``If-Match`` header, its 412 and 428
    answers and, unless ``status`` is ``None`` (a 204), the new ``ETag``."""
    responses: dict[Any, Any] = dict(_PRECONDITION_RESPONSES)
    if status is not None:
        responses[status] = {"headers": {"ETag": _ETAG_HEADER}}
    return blp.doc(parameters=[_IF_MATCH], responses=responses)
