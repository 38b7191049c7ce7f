"""import rejects kept per import run

Revision ID: host0006
Revises: host0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host0006"
down_revision: str | Sequence[str] | None = "host0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_rejects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_key", sa.String(200), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_import_rejects"),
    )
    op.create_index("ix_import_rejects_job_line", "import_rejects", ["job_key", "line"])


def downgrade() -> None:
    op.drop_index("ix_import_rejects_job_line", "import_rejects")
    op.drop_table("import_rejects")
