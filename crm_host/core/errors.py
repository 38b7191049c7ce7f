"""Errors the host raises on purpose; each becomes a clear 4xx answer, never a 500."""

from __future__ import annotations

from typing import Any


class CrmError(Exception):
    """Base of the host's expected errors; ``status`` is the HTTP answer it becomes."""

    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the error answer."""
        body: dict[str, Any] = {"code": self.status, "message": self.message}
        if self.details:
            body["errors"] = self.details
        return body


class ValidationFailed(CrmError):
    """Input broke a rule; ``details`` maps field names to messages."""

    status = 422


class NotFound(CrmError):
    """The object asked for does not exist."""

    status = 404


class NotVisible(NotFound):
    """An object the user may not see: answered exactly as one that does not exist
    (404, the same message), so ids cannot be enumerated — but, unlike a missing
    object, put on the audit log as a refusal; ``reason`` says why, for the log only."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        plugin: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.reason = reason
        self.plugin = plugin


class Unauthorized(CrmError):
    """Nobody is signed in (or the token is not valid)."""

    status = 401


class Forbidden(CrmError):
    """The user may not do this; the message says what is missing."""

    status = 403


class Conflict(CrmError):
    """The write conflicts with existing data (a duplicate code, a stale version)."""

    status = 409


class PreconditionFailed(CrmError):
    """``If-Match`` names a version the object no longer has: someone changed it meanwhile."""

    status = 412


class PreconditionRequired(CrmError):
    """The server requires ``If-Match`` on writes (``CRM_REQUIRE_IF_MATCH``) and none came."""

    status = 428


class BadRequest(CrmError):
    """A request parameter cannot be understood at all (an edited cursor)."""

    status = 400
