"""Attachments: a storage interface, a local-folder implementation, and the records.

Storage keys are random and made by the host, never from the uploaded name, so no
name — ``../../etc/passwd``, NUL bytes, newlines — can choose where bytes land.
The uploaded name is kept only for display and download, cleaned of control
characters and path parts.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO, Protocol

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from crm_host.core.errors import CrmError, NotFound, NotVisible, ValidationFailed
from crm_host.core.models import Attachment, User
from crm_host.core.objects import check_object
from crm_host.records import audit

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
CHUNK = 1 << 16


class TooLarge(CrmError):
    """The upload is over the configured limit."""

    status = 413


class Storage(Protocol):
    """Where attachment bytes live; keys are the host's own."""

    def save(self, key: str, stream: BinaryIO, limit: int) -> tuple[int, str]:
        """Store the stream under ``key``; returns (size, sha256). Raises TooLarge past ``limit``."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes."""

    def delete(self, key: str) -> None:
        """Remove the stored bytes (missing is fine)."""


class LocalStorage:
    """Attachment bytes in a folder, two levels of key prefix to keep folders small."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("storage keys are made by the host and are alphanumeric")
        return self.root / key[:2] / key[2:4] / key

    def save(self, key: str, stream: BinaryIO, limit: int) -> tuple[int, str]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(
                            f"the file is larger than the limit of {limit:,} bytes",
                            details={"file": [f"At most {limit:,} bytes."]},
                        )
                    digest.update(chunk)
                    out.write(chunk)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return size, digest.hexdigest()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage_for(app: Flask) -> LocalStorage:
    """The storage of ``app``: ``CRM_ATTACHMENTS_DIR`` or the instance folder's ``attachments``."""
    root = app.config.get("ATTACHMENTS_DIR") or str(Path(app.instance_path) / "attachments")
    return LocalStorage(Path(root))


def clean_filename(name: str) -> str:
    """A display name: no path, no control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name[:255] or "file"


def attach(
    session: Session,
    storage: Storage,
    *,
    object_type: str,
    object_id: str,
    filename: str,
    content_type: str,
    stream: BinaryIO,
    limit: int = DEFAULT_MAX_BYTES,
    actor: User | None = None,
) -> Attachment:
    """Store a file and record it against an object, in the caller's transaction.

    The object must be a registered type that ``actor`` may change
    (:func:`crm_host.core.objects.check_object`; ``actor=None`` is the system).
    """
    if not object_type or len(object_type) > 100 or not object_id or len(object_id) > 64:
        raise ValidationFailed("attach to an object", details={"object": ["Type and id required."]})
    check_object(session, actor, object_type, object_id, write=True)
    key = secrets.token_hex(16)
    size, digest = storage.save(key, stream, limit)
    if size == 0:
        storage.delete(key)
        raise ValidationFailed("the file is empty", details={"file": ["Empty file."]})
    row = Attachment(
        object_type=object_type,
        object_id=object_id,
        filename=clean_filename(filename),
        content_type=(content_type or "application/octet-stream")[:200],
        size=size,
        sha256=digest,
        storage_key=key,
        uploaded_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "attach",
        object_type,
        object_id,
        after={"attachment": row.id, "filename": row.filename, "size": size},
        actor=actor,
    )
    return row


def attachments_of(
    session: Session, actor: User | None, object_type: str, object_id: str
) -> list[Attachment]:
    """The files attached to one object, which ``actor`` must be allowed to read."""
    check_object(session, actor, object_type, object_id)
    return list(
        session.scalars(
            sa.select(Attachment)
            .where(Attachment.object_type == object_type, Attachment.object_id == object_id)
            .order_by(Attachment.id)
        )
    )


def get_attachment(
    session: Session, attachment_id: int, *, actor: User | None = None, write: bool = False
) -> Attachment:
    """The attachment with this id, when ``actor`` may read (``write``: change) its object.

    A missing attachment and one on an object ``actor`` may not see are the same
    :class:`NotFound` (the second audited as a refusal); ``actor=None`` is the system.
    """
    missing = f"no attachment with id {attachment_id}"
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(missing)
    if actor is None:
        return row
    try:
        check_object(session, actor, row.object_type, row.object_id, write=write)
    except NotVisible as error:
        raise NotVisible(missing, reason=error.reason, plugin=error.plugin) from None
    except ValidationFailed:  # its type is no longer registered (plugin uninstalled)
        raise NotVisible(
            missing, reason=f"{row.object_type} is not a registered object type"
        ) from None
    except NotFound:  # its object is gone
        raise NotFound(missing) from None
    return row


def remove(session: Session, row: Attachment, *, actor: User | None = None) -> str:
    """Delete the record in the caller's transaction; returns the storage key, whose bytes
    the caller deletes after commit (a rollback must not lose them)."""
    audit.record(
        session,
        "detach",
        row.object_type,
        row.object_id,
        before={"attachment": row.id, "filename": row.filename},
        actor=actor,
    )
    session.delete(row)
    session.flush()
    return row.storage_key
