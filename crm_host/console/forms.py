"""Turning console form posts into the shapes the host's services take, and back.

The console has no validation rules of its own: a customer form becomes the same
dict the API's ``CustomerIn`` gives the customer service, so a value is refused for
the same reason, with the same per-field message, wherever it comes from.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from crm_host.core.models import Customer, CustomField
from crm_host.core.sensitive import SENSITIVE_FIELDS, shown
from crm_host.domain.customers import service
from crm_host.domain.customers.rules import FIELDS

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


def keep_masked(customer: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the sensitive fields sent back as the form showed them (masked):
    a user who may not reveal a number keeps it by leaving it alone."""
    for name in SENSITIVE_FIELDS["customer"]:
        current = getattr(customer, name)
        if name in data and current and data[name] == shown(current) != current:
            del data[name]
    return data


def form_values(customer: Customer) -> dict[str, Any]:
    """A customer as the edit form shows it; sensitive values as the profile shows them."""
    snapshot = service.snapshot(customer)
    values = {k: ("" if v is None else str(v)) for k, v in snapshot.items()}
    for name in SENSITIVE_FIELDS["customer"]:
        # The edit form shows what the profile shows: masked without reveal.
        values[name] = shown(getattr(customer, name)) or ""
    values["kind"] = customer.kind.value
    values["lifecycle_stage"] = customer.lifecycle_stage.value
    values["tags"] = ", ".join(t.name for t in customer.tags)
    values["departments"] = ", ".join(d.code for d in customer.departments)
    values["parent_code"] = customer.parent.code if customer.parent else ""
    for name, value in (customer.custom or {}).items():
        values[f"custom.{name}"] = "" if value is None else value
    return values
