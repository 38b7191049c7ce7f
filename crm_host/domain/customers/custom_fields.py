"""Admin-defined custom fields: definitions and the checking of their values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import Conflict, ValidationFailed
from crm_host.core.models import CustomField, FieldType
from crm_host.core.text import normalise_line_breaks

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT = 1000


def definitions(session: Session) -> dict[str, CustomField]:
    """The custom field definitions by name, in display order."""
    rows = session.scalars(sa.select(CustomField).order_by(CustomField.position, CustomField.id))
    return {f.name: f for f in rows}


def _check_value(field: CustomField, value: Any) -> Any:
    kind = FieldType(field.type)
    if kind is FieldType.TEXT:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise ValueError(f"Must be text of at most {MAX_TEXT} characters.")
        # Free text may run over lines (an address, a note): kept, as LF.
        return normalise_line_breaks(value.strip())
    if kind is FieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError("Must be a number.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("Must be a number.") from None
        if number != number or abs(number) > 1e15:  # NaN, or beyond exact floats
            raise ValueError("Must be a finite number below 10^15.")
        return int(number) if number.is_integer() else number
    if kind is FieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("Not a date: write YYYY-MM-DD.") from None
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError("Must be true or false.")
    if value not in field.choices:
        raise ValueError("Must be one of: " + ", ".join(map(str, field.choices)) + ".")
    return value


def clean_custom(
    fields: Mapping[str, CustomField],
    values: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check custom values against their definitions.

    Returns the complete new ``custom`` dict (``current`` updated with ``values``)
    and errors keyed ``custom.<name>``. Unknown names and missing required values
    are errors; ``None`` removes a value.
    """
    merged = dict(current or {})
    errors: dict[str, list[str]] = {}
    if not isinstance(values, Mapping):
        return merged, {"custom": ["Must be an object of field names to values."]}
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            errors[f"custom.{name}"] = ["No such custom field."]
            continue
        if value is None or value == "":
            merged.pop(name, None)
            continue
        try:
            merged[name] = _check_value(field, value)
        except ValueError as error:
            errors[f"custom.{name}"] = [str(error)]
    for name, field in fields.items():
        if field.required and name not in merged and f"custom.{name}" not in errors:
            errors[f"custom.{name}"] = ["Required."]
    return merged, errors


def create_field(
    session: Session,
    *,
    name: str,
    type: str,
    label: str,
    label_zh: str = "",
    required: bool = False,
    choices: Iterable[Any] = (),
    position: int = 0,
) -> CustomField:
    """Define a custom field; the name is what the API, imports and exports use."""
    errors: dict[str, list[str]] = {}
    if not NAME_RE.match(name or ""):
        errors["name"] = ["Lower-case letters, digits and _, starting with a letter (≤64)."]
    if type not in {t.value for t in FieldType}:
        errors["type"] = ["Must be one of: " + ", ".join(t.value for t in FieldType) + "."]
    if not label.strip() or len(label) > 200:
        errors["label"] = ["Required, at most 200 characters."]
    choices = list(choices)
    if type == FieldType.CHOICE and not choices:
        errors["choices"] = ["A choice field needs choices."]
    if errors:
        raise ValidationFailed("the custom field is not valid", details=errors)
    if session.scalar(sa.select(CustomField.id).where(CustomField.name == name)):
        raise Conflict(
            f"a custom field named {name!r} exists already", details={"name": ["Taken."]}
        )
    field = CustomField(
        name=name,
        type=type,
        label=label.strip(),
        label_zh=label_zh.strip(),
        required=required,
        choices=choices,
        position=position,
    )
    session.add(field)
    session.flush()
    return field
