"""The field makers the sales schemas share: ids in query strings, text, money,
percentages, quantities and currencies."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crm_host.sdk import validation as check
from crm_host.sdk.web import MAX_ID


def query_id_field() -> ma.fields.Integer:
    """An id given in the query string."""
    # Query strings carry text: a strict integer field would refuse every "12".
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))


def text_field(max_length: int, **kwargs: Any) -> ma.fields.String:
    """Text of at most ``max_length`` characters, ``null`` allowed unless told (the SDK's
    text rule, the one the services check with)."""
    return check.Text(max_length, **kwargs)


def amount_field(**kwargs: Any) -> ma.fields.Decimal:
    """An amount of money: two places, not negative, within what the columns hold (the
    SDK's money rule). Numeric strings such as ``"120000.00"`` load too, exactly."""
    return check.Money(**kwargs)


def percent_field() -> ma.fields.Decimal:
    """A discount in percent, 0 to 100 (0 when not given)."""
    return check.Decimal(places=2, minimum=0, maximum=100, load_default=0, metadata={"default": 0})


def quantity_field() -> ma.fields.Decimal:
    """A quantity above 0 (1 when not given)."""
    return check.Decimal(
        places=3,
        minimum=0,
        min_exclusive=True,
        maximum=999999999,
        load_default=1,
        metadata={"default": 1},
    )


def currency_field(**kwargs: Any) -> ma.fields.String:
    """An ISO 4217 code such as ``CNY`` (the SDK's currency rule)."""
    return check.Currency(**kwargs)
