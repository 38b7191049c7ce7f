"""Turning console form posts into the shapes the host's services take.

The console has no validation rules of its own: a customer form becomes the same
dict the API's ``CustomerIn`` gives the customer service, so a value is refused for
the same reason, with the same per-field message, wherever it comes from.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from crm_host.customers.rules import FIELDS
from crm_host.models import CustomField

_LIST_SEPARATORS = re.compile(r"[,;，；]")


def split_list(text: str) -> list[str]:
    """Split a comma- or semicolon-separated field (ASCII or full-width) into values."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def customer_data(form: MultiDict[str, str], fields: list[CustomField]) -> dict[str, Any]:
    """The customer fields of a posted form, as the customer service takes them."""
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS if name in form}
    if "parent_code" in form:
        data["parent_code"] = form["parent_code"].strip()
    if "departments" in form:
        data["departments"] = split_list(form["departments"])
    if "tags" in form:
        data["tags"] = split_list(form["tags"])
    custom = {}
    for field in fields:
        key = f"custom.{field.name}"
        if field.type == "boolean":
            custom[field.name] = key in form
        elif key in form:
            custom[field.name] = form[key].strip() or None
    if custom:
        data["custom"] = custom
    return data


def field_errors(details: dict[str, Any] | None) -> dict[str, list[str]]:
    """Per-field messages of a service error, with ``custom`` errors keyed ``custom.<name>``."""
    errors: dict[str, list[str]] = {}
    for name, messages in (details or {}).items():
        if name == "custom" and isinstance(messages, dict):
            for custom_name, custom_messages in messages.items():
                errors[f"custom.{custom_name}"] = list(custom_messages)
        elif isinstance(messages, dict):
            errors[name] = [str(m) for m in messages.values()]
        else:
            errors[name] = [str(m) for m in messages]
    return errors
