"""Which plugins are installed, and for which departments each is enabled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base, utcnow


class PluginInstallation(Base):
    """A plugin whose migrations have run; the host loads installed plugins only."""

    __tablename__ = "plugin_installations"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(64))
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PluginEnablement(Base):
    """A plugin switched on for one department. Deleting this row never deletes data."""

    __tablename__ = "plugin_enablements"

    plugin_name: Mapped[str] = mapped_column(
        sa.ForeignKey("plugin_installations.name", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    enabled_at: Mapped[datetime] = mapped_column(default=utcnow)
