"""Failed sign-ins counted per account and per address, for throttling and lock-out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base


class LoginThrottle(Base):
    """Failures of one key (``user:<name>`` or ``ip:<address>``) in the current window."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
