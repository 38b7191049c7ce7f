"""Fields the power schemas share: days and instants in the readings' range, amounts, ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma

from crm_host.sdk.web import MAX_ID
from crm_industry_power.storage import FIRST_YEAR, LAST_YEAR

#: Instants the API accepts for guarantees (the readings' years, in UTC).
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR, 12, 31, tzinfo=UTC)
#: Days the API accepts (the readings' range).
DAY_RANGE = ma.validate.Range(min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31))


def day_field(**kwargs) -> ma.fields.Date:
    """A date within the readings' years."""
    return ma.fields.Date(validate=DAY_RANGE, **kwargs)


def number_field(maximum: float, **kwargs) -> ma.fields.Decimal:
    """A positive amount below ``maximum`` (a capacity, a multiplier), as a string."""
    return ma.fields.Decimal(
        validate=ma.validate.Range(min=0, max=maximum, min_inclusive=False),
        as_string=True,
        metadata={"example": 630, "minimum": 0, "maximum": maximum},
        **kwargs,
    )


def price_field(**kwargs) -> ma.fields.Decimal:
    """A price per unit to four places, as a string."""
    return ma.fields.Decimal(
        places=4,
        validate=ma.validate.Range(min=0, max=99999999),
        as_string=True,
        metadata={"example": 0.6512, "minimum": 0, "maximum": 99999999},
        **kwargs,
    )


def query_id_field() -> ma.fields.Integer:
    """An optional id given in the query string."""
    # Not strict: a query string carries the id as text.
    return ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=MAX_ID))
