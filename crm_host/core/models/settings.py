"""Company-wide settings kept in the database (timezone, default locale…)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base


class Setting(Base):
    """One company setting; the value is JSON so plugins can keep structured values."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
