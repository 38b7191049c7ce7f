"""Fields and schemas every part of the marketing API shares."""

from __future__ import annotations

import marshmallow as ma


def no_nul(value: str) -> None:
    """Refuse text with a NUL character."""
    # PostgreSQL refuses NUL in text; say so as a 422 rather than fail in the database.
    if "\x00" in value:
        raise ma.ValidationError("Must not contain NUL characters.")


def text(max_length: int, min_length: int = 0, **kwargs) -> ma.fields.String:
    """A string field of bounded length, without NUL characters."""
    return ma.fields.String(
        validate=[ma.validate.Length(min=min_length, max=max_length), no_nul], **kwargs
    )


class RulesField(ma.fields.Dict):
    """A rule tree: checked node by node by the service, which names the bad node's path."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "metadata",
            {"example": {"all": [{"field": "city", "op": "eq", "value": "苏州"}]}},
        )
        super().__init__(keys=ma.fields.String(), **kwargs)


class JobOut(ma.Schema):
    job_id = ma.fields.Integer()
