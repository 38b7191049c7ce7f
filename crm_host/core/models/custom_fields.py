"""Admin-defined custom fields of customers; values live in ``customers.custom``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, utcnow


class FieldType(enum.StrEnum):
    """The type of a custom field's values."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"


class CustomField(Base):
    """The definition of a custom field: type, labels in both languages, rules."""

    __tablename__ = "custom_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    label: Mapped[str] = mapped_column(sa.String(200))
    label_zh: Mapped[str] = mapped_column(sa.String(200), default="")
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
