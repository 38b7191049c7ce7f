"""Segments and the members of static lists."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type, utcnow


class SegmentKind(enum.StrEnum):
    """A rule tree compiled to SQL, or a list of customers."""

    RULES = "rules"
    STATIC = "static"


SEGMENT_KINDS = tuple(kind.value for kind in SegmentKind)


class Segment(Base):
    """A named audience: a rule tree compiled to SQL (``rules``) or a static list."""

    __tablename__ = "marketing_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    kind: Mapped[str] = mapped_column(status_type(SegmentKind, name="kind"), default="rules")
    #: The rule tree (see :mod:`crm_marketing.rules`); ``None`` for a static list.
    rules: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SegmentMember(Base):
    """A customer on a static list."""

    __tablename__ = "marketing_segment_members"

    segment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("marketing_segments.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
