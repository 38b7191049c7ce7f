"""How new leads find an owner: the round-robin cursor, each department's method
and each seller's capacity."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.sdk import Base, status_type


class AssignmentCursor(Base):
    """Who got the department's last lead, so round-robin assignment resumes after them."""

    __tablename__ = "sales_assignment_cursors"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    last_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class AssignmentMethod(enum.StrEnum):
    """How a department's new leads find an owner."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


class AssignmentRule(Base):
    """The assignment method a department chose; departments without a row go round-robin."""

    __tablename__ = "sales_assignment_rules"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[AssignmentMethod] = mapped_column(
        status_type(AssignmentMethod, name="method"), default=AssignmentMethod.ROUND_ROBIN
    )


class SalesCapacity(Base):
    """The most open leads and opportunities together a sales user should hold."""

    __tablename__ = "sales_capacities"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    max_open: Mapped[int]
