"""Fields and schemas every part of the marketing API shares."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crm_host.sdk import validation as check


def text(
    max_length: int, min_length: int = 0, *, multiline: bool = False, **kwargs: Any
) -> ma.fields.String:
    """Text of at most ``max_length`` characters by the SDK's text rule (no NUL or other
    control characters; line breaks only when ``multiline``); ``min_length=1`` refuses
    blank text. ``null`` only when ``allow_none=True`` is given."""
    kwargs.setdefault("allow_none", False)
    return check.Text(max_length, multiline=multiline, allow_blank=min_length < 1, **kwargs)


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
