"""Record versions: an integer every write to a versioned row increases by one.

A model that mixes in :class:`Versioned` gets a ``version`` column that SQLAlchemy
uses as its ``version_id_col``: every ORM flush of a change writes ``version + 1``
with ``WHERE version = <the version loaded>``, so a write based on a stale read
fails (``StaleDataError``) instead of silently undoing someone else's change. The
web layer turns the version into an ``ETag`` and checks ``If-Match`` against it
(:mod:`crm_host.web._etags`); console forms carry it in a hidden field.

Core ``UPDATE`` statements bypass the ORM's counter: bulk paths add
:func:`bump_version` to their values so an ETag handed out before never matches
the changed row.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

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

    Use as ``sa.update(Model).where(...).values(status=..., **bump_version(Model))``;
    ``model`` may be a model class or its table. For a model without a version it is
    empty, so code that updates many models in a loop can use it on all of them.
    """
    if isinstance(model, sa.Table):
        column = model.c.get(VERSION_COLUMN)
        return {} if column is None else {VERSION_COLUMN: column + 1}
    if not is_versioned(model):
        return {}
    return {VERSION_COLUMN: getattr(model, VERSION_COLUMN) + 1}


def is_versioned(obj: Any) -> bool:
    """Whether ``obj`` is an instance (or class) of a versioned model."""
    return isinstance(obj, Versioned) or (isinstance(obj, type) and issubclass(obj, Versioned))


@event.listens_for(Session, "before_flush")
def _count_collection_changes(session: Session, _context: Any, _instances: Any) -> None:
    # The ORM raises the version only when one of the row's own columns changed; a
    # change to a collection (tags, departments, contacts) leaves the row alone, yet
    # the record a client read is no longer the same. Such a write sets the version
    # itself, which the ORM then writes with the usual ``WHERE version = <old>``.
    for obj in session.dirty:
        if not isinstance(obj, Versioned):
            continue
        state = sa.inspect(obj)
        if any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs):
            continue
        if session.is_modified(obj, include_collections=True):
            obj.version = obj.version + 1
