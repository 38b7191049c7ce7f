"""Column types the power tables share: money, prices and energy."""

from __future__ import annotations

import sqlalchemy as sa

MONEY = sa.Numeric(18, 2)
PRICE = sa.Numeric(12, 4)
ENERGY = sa.Numeric(18, 3)
