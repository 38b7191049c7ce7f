"""What the sales tables share: the column type of amounts of money."""

from __future__ import annotations

import sqlalchemy as sa

MONEY = sa.Numeric(18, 2)
