"""Rows an import refused, kept with the job so a resumed import rewrites its rejects file whole."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm_host.core.db import Base


class ImportReject(Base):
    """One refused row of an import job — or a notice about a kept one — and where it
    starts in the file."""

    __tablename__ = "import_rejects"
    __table_args__ = (sa.Index("ix_import_rejects_job_line", "job_key", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The import's idempotency key (the file's identity), shared by every attempt.
    job_key: Mapped[str] = mapped_column(sa.String(200))
    line: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    #: ``refused`` (the row was not imported) or ``notice`` (it was, with a remark).
    kind: Mapped[str] = mapped_column(sa.String(10), default="refused", server_default="refused")
