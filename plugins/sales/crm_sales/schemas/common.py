"""The field makers the sales schemas share: ids in query strings, text, money,
percentages, quantities and currencies."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crm_host.sdk.web import MAX_ID


def query_id_field() -> ma.fields.Integer:
    """An id given in the query string."""
    # Query strings carry text: a strict integer field would refuse every "12".
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))


def text_field(max_length: int, **kwargs: Any) -> ma.fields.String:
    """Text of at most ``max_length`` characters, ``null`` allowed unless told."""
    kwargs.setdefault("allow_none", True)
    return ma.fields.String(validate=ma.validate.Length(max=max_length), **kwargs)


def amount_field(**kwargs: Any) -> ma.fields.Decimal:
    """An amount of money: two places, not negative, within what the columns hold."""
    # A number in the document (a string type may not carry a maximum); numeric strings
    # such as "120000.00" load too, and keep their exact value.
    return ma.fields.Decimal(
        places=2,
        validate=ma.validate.Range(min=0, max=9999999999999),
        # apispec would print the bounds as strings (the field's own format).
        metadata={"example": 12000, "minimum": 0, "maximum": 9999999999999},
        **kwargs,
    )


def percent_field() -> ma.fields.Decimal:
    """A discount in percent, 0 to 100 (0 when not given)."""
    return ma.fields.Decimal(
        load_default=0,
        places=2,
        validate=ma.validate.Range(min=0, max=100),
        metadata={"default": 0, "minimum": 0, "maximum": 100},
    )


def quantity_field() -> ma.fields.Decimal:
    """A quantity above 0 (1 when not given)."""
    return ma.fields.Decimal(
        load_default=1,
        places=3,
        validate=ma.validate.Range(min=0, max=999999999, min_inclusive=False),
        metadata={"default": 1, "minimum": 0, "exclusiveMinimum": True, "maximum": 999999999},
    )


CURRENCY = {"validate": ma.validate.Regexp(r"^[A-Z]{3}$"), "metadata": {"example": "CNY"}}
