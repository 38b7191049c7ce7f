"""Marshmallow fields of the validation vocabulary: each loads a value by calling the
rule of :mod:`crm_host.domain.validation` the domain layer calls, so a schema and a service
accept the same values and answer the same message.

A schema describes the API's shape (types, which keys, the bounds in the document);
the rule is written once, in :mod:`crm_host.domain.validation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import marshmallow as ma

from crm_host.domain import validation as rules


def _run(field: ma.fields.Field, rule: Callable[..., Any], value: Any, **options: Any) -> Any:
    """``rule`` on ``value``; its messages become the field's ValidationError."""
    errors: rules.Errors = {}
    name = field.name or "value"
    cleaned = rule(value, name, errors, **options)
    if errors:
        raise ma.ValidationError(errors[name])
    return cleaned


class Text(ma.fields.String):
    """Text by :func:`crm_host.domain.validation.text`: trimmed, at most ``max_length``
    characters, no control characters (line breaks only when ``multiline``).

    ``allow_blank=False`` refuses blank text ("Required."); a blank value otherwise
    loads as ``""``. ``null`` is allowed unless ``allow_none=False`` is given.
    """

    def __init__(
        self, max_length: int, *, multiline: bool = False, allow_blank: bool = True, **kwargs: Any
    ) -> None:
        kwargs.setdefault("allow_none", True)
        metadata = {"maxLength": max_length, **kwargs.pop("metadata", {})}
        if not allow_blank:
            metadata.setdefault("minLength", 1)
        super().__init__(metadata=metadata, **kwargs)
        self.max_length = max_length
        self.multiline = multiline
        self.allow_blank = allow_blank

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        cleaned = _run(
            self,
            rules.text,
            value,
            max_length=self.max_length,
            multiline=self.multiline,
            required=not self.allow_blank,
        )
        return "" if cleaned is None else cleaned


class Money(ma.fields.Decimal):
    """An amount by :func:`crm_host.domain.validation.money`: at most ``places`` decimals (2),
    not negative unless ``allow_negative``, within what the columns hold. A number in
    the document; numeric strings such as ``"120000.00"`` load too, exactly."""

    def __init__(
        self,
        *,
        places: int = 2,
        allow_negative: bool = False,
        maximum: D = rules.MAX_AMOUNT,
        **kwargs: Any,
    ) -> None:
        metadata = {
            "example": 12000,
            # apispec would print Decimal bounds as strings (the field's own format).
            "minimum": -float(maximum) if allow_negative else 0,
            "maximum": float(maximum),
            **kwargs.pop("metadata", {}),
        }
        super().__init__(places=places, metadata=metadata, **kwargs)
        self.money_places = places
        self.allow_negative = allow_negative
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> D:
        return _run(
            self,
            rules.money,
            value,
            places=self.money_places,
            allow_negative=self.allow_negative,
            maximum=self.maximum,
        )


class Currency(ma.fields.String):
    """An ISO 4217 code in capitals by :func:`crm_host.domain.validation.currency`."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"example": "CNY", "pattern": "^[A-Z]{3}$", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return _run(self, rules.currency, value)


class Decimal(ma.fields.Decimal):
    """A measure by :func:`crm_host.domain.validation.decimal`: within the bounds, rounded to
    ``places`` decimals."""

    def __init__(
        self,
        *,
        places: int,
        minimum: D | int | None = None,
        maximum: D | int | None = None,
        min_exclusive: bool = False,
        max_exclusive: bool = False,
        **kwargs: Any,
    ) -> None:
        metadata: dict[str, Any] = {}
        if minimum is not None:
            metadata["minimum"] = float(minimum)
            if min_exclusive:
                metadata["exclusiveMinimum"] = True
        if maximum is not None:
            metadata["maximum"] = float(maximum)
            if max_exclusive:
                metadata["exclusiveMaximum"] = True
        metadata.update(kwargs.pop("metadata", {}))
        super().__init__(places=places, metadata=metadata, **kwargs)
        self.options = {
            "places": places,
            "minimum": minimum,
            "maximum": maximum,
            "min_exclusive": min_exclusive,
            "max_exclusive": max_exclusive,
        }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> D:
        return _run(self, rules.decimal, value, **self.options)


class Choice(ma.fields.String):
    """One of ``choices`` by :func:`crm_host.domain.validation.choice` (an ``enum`` in the
    document)."""

    def __init__(self, choices: tuple[str, ...] | list[str], **kwargs: Any) -> None:
        metadata = {"enum": list(choices), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.choices = tuple(choices)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return _run(self, rules.choice, value, choices=self.choices, required=True)


class Date(ma.fields.Date):
    """A day by :func:`crm_host.domain.validation.date`: ISO ``YYYY-MM-DD``, within the bounds."""

    def __init__(
        self, *, minimum: dt.date | None = None, maximum: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.date:
        return _run(
            self, rules.date, value, required=True, minimum=self.minimum, maximum=self.maximum
        )


class CustomerRef(ma.fields.Integer):
    """A customer's id, by :func:`crm_host.domain.validation.reference_id`. Only the shape: that
    the customer exists is :func:`crm_host.domain.validation.customer_ref`'s, in the domain,
    where the session is."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"minimum": 1, "maximum": rules.MAX_ID, **kwargs.pop("metadata", {})}
        super().__init__(strict=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        return _run(self, rules.reference_id, value)


class Phone(ma.fields.String):
    """A phone number by :func:`crm_host.domain.validation.phone` (the customer records' rule)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        metadata = {"example": "+8613812345678", "maxLength": 40, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        return _run(self, rules.phone, value)


class Email(ma.fields.String):
    """An e-mail address by :func:`crm_host.domain.validation.email` (the customer records' rule)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        metadata = {"example": "user1@example.cn", "maxLength": 320, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        return _run(self, rules.email, value)
