"""The rows of a customer import before they are written: the header's check, a row's
parsed parts, list columns split once, and the reason a rejected row is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_host.domain.customers.custom_fields import definitions
from crm_host.domain.customers.rules import LINK_COLUMNS, RULES
from crm_host.domain.importing import protect
from crm_host.domain.importing.readers import ImportFileError

LIST_SEPARATOR = ";"
#: Columns besides the rule-checked fields and ``custom.<name>``.
EXTRA_COLUMNS = LINK_COLUMNS


def check_header(session: Session, columns: Sequence[str]) -> None:
    """Refuse a file whose header names unknown columns or lacks the required ones."""
    custom = {f"custom.{name}" for name in definitions(session)}
    known = set(RULES) | set(EXTRA_COLUMNS) | custom
    columns = list(columns)
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ImportFileError(
            f"unknown column(s) {', '.join(unknown)}; the columns are the API's field names: "
            + ", ".join([*RULES, *EXTRA_COLUMNS, *sorted(custom)])
        )
    missing = [name for name, rule in RULES.items() if rule.required and name not in columns]
    if missing:
        raise ImportFileError(f"the header lacks required column(s) {', '.join(missing)}")


@dataclass(slots=True)
class Row:
    """One record of the file, checked: its values and the links it names."""

    line: int
    values: dict[str, Any]
    departments: set[str] | None
    tags: set[str] | None
    parent_code: str | None
    raw: list[str] | None


def split_list(value: Any) -> set[str]:
    """The names in a list column: a list as given, or text split on ``;``."""
    if isinstance(value, list):
        return {str(v).strip() for v in value if str(v).strip()}
    return {part.strip() for part in str(value or "").split(LIST_SEPARATOR) if part.strip()}


def split_once(value: Any, memo: dict[Any, set[str]]) -> set[str]:
    """:func:`split_list`, each distinct text once (the sets are shared: never change one)."""
    if not isinstance(value, str):
        return split_list(value)
    found = memo.get(value)
    if found is None:
        found = memo[value] = split_list(value)
    return found


#: Fields whose refused value a reject's reason quotes (a phone number in a reason
#: has its digits masked like the row's own values).
QUOTED = frozenset({"phone"})


def describe(errors: dict[str, list[str]], values: dict[str, Any] | None = None) -> str:
    """The reason a rejected row is given: each field with its messages."""

    def reason(name: str, messages: list[str]) -> str:
        text = f"{name}: {' '.join(messages)}"
        if values and name in QUOTED and values.get(name) not in (None, ""):
            text += f" Typed: {protect.mask_numbers(repr(str(values[name])))}."
        return text

    return "; ".join(reason(name, messages) for name, messages in errors.items())


@dataclass(frozen=True, slots=True)
class Layout:
    """What the keys of a record say about it, worked out once per distinct key set."""

    unknown: list[str]
    custom: list[str]
