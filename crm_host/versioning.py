"""Record versions: an integer every write to a versioned row increases by one.

A model that mixes in :class:`Versioned` gets a ``version`` column that SQLAlchemy
uses as its ``version_id_col``: every ORM flush of a change writes ``version + 1``
with ``WHERE version = <the version loaded>``, so a write based on a stale read
fails (``StaleDataError``) instead of silently undoing someone else's change. The
web layer turns the version into an ``ETag`` and checks ``If-Match`` against it
(:mod:`crm_host.web.etags`); console forms carry it in a hidden field.

Core ``UPDATE`` statements bypass the ORM's counter: bulk paths add
:func:`bump_version` to their values so an ETag handed out before never matches
the changed row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

VERSION_COLUMN = "version"


class Versioned:
    """Mixin giving a model a ``version`` counter that guards concurrent writes.

    The column starts at 1 (``server_default`` too, so rows written by Core inserts
    and rows that existed before the migration are version 1).
    """

    version: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=1, server_default=sa.text("1")
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def bump_version(model: Any) -> dict[str, Any]:
    """Values that raise the version of every row a Core ``UPDATE`` of ``model`` touches.

    Use as ``sa.update(Model).where(...).values(status=..., **bump_version(Model))``.
    """
    return {VERSION_COLUMN: getattr(model, VERSION_COLUMN) + 1}


def is_versioned(obj: Any) -> bool:
    """Whether ``obj`` is an instance (or class) of a versioned model."""
    return isinstance(obj, Versioned) or (isinstance(obj, type) and issubclass(obj, Versioned))
