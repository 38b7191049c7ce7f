"""Fields and URL converters that keep hostile numbers away from the database."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow.utils import ensure_text_type
from werkzeug.routing import IntegerConverter

from crm_host.core.sensitive import shown

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


class Masked(ma.fields.String):
    """A sensitive host value (a phone, an ID number, an address line) in a response.

    Shown in full to users who hold ``host.customers.reveal``, masked (``138****5678``)
    to everyone else. Plugins use this field for every value they copy from a
    customer, contact or address, so none hands a sensitive value out raw. Loading is
    a plain string's; may be null unless ``allow_none=False`` is given.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return shown(super()._serialize(value, attr, obj, **kwargs))

    def fast_dump(self, value: Any) -> Any:
        """What :meth:`_serialize` answers, for :class:`~crm_host.api.fastdump.FastDump`."""
        return shown(None if value is None else ensure_text_type(value))
