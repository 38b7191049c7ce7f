"""Single-use signed links already spent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base


class SignedLinkUse(Base):
    """A single-use link that was used; its hash is unique, so a second use fails."""

    __tablename__ = "signed_link_uses"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime]
