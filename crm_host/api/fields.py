"""Fields and URL converters that keep hostile numbers away from the database."""

from __future__ import annotations

import marshmallow as ma
from werkzeug.routing import IntegerConverter

#: The largest value a 64-bit signed integer column holds.
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive integer that fits a BIGINT; anything larger is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def Id(**kwargs) -> ma.fields.Integer:
    """An id field: a strict, positive integer within BIGINT range."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)
