"""What every service schema shares: the validators and row references."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

V = ma.validate
#: The largest value an INTEGER column holds on PostgreSQL (ids written into rows).
MAX_INT = 2**31 - 1


def ref(*, strict: bool = True, **kwargs: Any) -> ma.fields.Integer:
    """A reference to a row: a positive INTEGER (query strings are text, so not strict)."""
    return ma.fields.Integer(strict=strict, validate=V.Range(min=1, max=MAX_INT), **kwargs)
