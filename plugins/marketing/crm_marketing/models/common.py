"""What the marketing tables share: the money column type."""

from __future__ import annotations

import sqlalchemy as sa

MONEY = sa.Numeric(18, 2)
