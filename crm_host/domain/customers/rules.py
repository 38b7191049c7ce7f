"""The rules of a customer record, in one place.

The API's schemas and the bulk importer both run these functions, so a row is
accepted or refused for the same reason whichever way it comes in. They work on
plain dicts of strings or JSON values and cost a few microseconds a row — cheap
enough for a million-row import, where a marshmallow load per row would not be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from crm_host.core.models import CustomerKind, LifecycleStage

# Kept importable from here: the search and the SDK strip a phone number's noise alike.
from crm_host.domain.customers.field_checks import PHONE_NOISE as PHONE_NOISE
from crm_host.domain.customers.field_checks import (
    RuleError,
    birth_date_column,
    check_birth_date,
    check_code,
    check_email,
    check_id_number,
    check_name,
    check_phone,
    choice_check,
    choice_column,
    code_column,
    email_column,
    id_number_column,
    name_column,
    phone_column,
    text_check,
    text_column,
)

GENDERS = ("female", "male", "other")
LANGUAGES = ("zh_Hans", "en")
_KINDS = tuple(k.value for k in CustomerKind)
_STAGES = tuple(s.value for s in LifecycleStage)


@dataclass(frozen=True)
class FieldRule:
    """How one field of a customer is checked and normalised."""

    name: str
    check: Callable[[Any], Any]
    required: bool = False
    #: Identifies or describes a person: cleared when the customer's data is erased.
    personal: bool = False
    #: ``check`` over a list of non-empty strings at once, for bulk imports: the
    #: checked values when every one passes, else ``None`` (then ``check`` runs per
    #: value to say which failed and why). It must agree with ``check``.
    column: Callable[[list[str]], list[Any] | None] | None = None
    #: What an empty value stands for: ``None`` (no value), or for a column that must
    #: hold one, its default — an empty lifecycle stage in a file is a prospect.
    empty: Any = None


RULES: dict[str, FieldRule] = {
    rule.name: rule
    for rule in (
        FieldRule("code", check_code, required=True, column=code_column),
        FieldRule("name", check_name, required=True, column=name_column),
        FieldRule(
            "kind",
            choice_check(_KINDS),
            required=True,
            column=choice_column(_KINDS),
        ),
        FieldRule("email", check_email, personal=True, column=email_column),
        FieldRule("phone", check_phone, personal=True, column=phone_column),
        FieldRule(
            "lifecycle_stage",
            choice_check(_STAGES),
            column=choice_column(_STAGES),
            empty=LifecycleStage.PROSPECT.value,
        ),
        FieldRule("tier", text_check(32), column=text_column(32)),
        FieldRule("gender", choice_check(GENDERS), personal=True, column=choice_column(GENDERS)),
        FieldRule("birth_date", check_birth_date, personal=True, column=birth_date_column),
        FieldRule("occupation", text_check(100), personal=True, column=text_column(100)),
        FieldRule("education", text_check(100), personal=True, column=text_column(100)),
        FieldRule("region", text_check(100), personal=True, column=text_column(100)),
        FieldRule("city", text_check(100), personal=True, column=text_column(100)),
        FieldRule(
            "preferred_language",
            choice_check(LANGUAGES),
            personal=True,
            column=choice_column(LANGUAGES),
        ),
        FieldRule("id_number", check_id_number, personal=True, column=id_number_column),
    )
}


#: The fields every customer row has, in the order the API, imports and exports use.
FIELDS: tuple[str, ...] = tuple(RULES)
#: Columns that link a row to other records by their codes, lists split by ";".
LINK_COLUMNS: tuple[str, ...] = ("parent_code", "departments", "tags")
#: Fields naming or describing a person, cleared on erasure (the name is handled apart).
PERSONAL_FIELDS: tuple[str, ...] = tuple(n for n, r in RULES.items() if r.personal)


def clean_customer(
    data: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check and normalise the fields of one customer.

    Returns the cleaned values and the errors per field. Fields not in :data:`RULES`
    are left to the caller (references, custom fields). Empty strings and ``None``
    mean "no value"; a required field may not be empty, nor missing unless
    ``partial`` (an update of some fields).
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, rule in RULES.items():
        if name not in data:
            if rule.required and not partial:
                errors[name] = ["Required."]
            continue
        value = data[name]
        if value is None or value == "":
            if rule.required:
                errors[name] = ["Required."]
            else:
                clean[name] = rule.empty
            continue
        try:
            clean[name] = rule.check(value)
        except RuleError as error:
            errors[name] = [str(error)]
    return clean, errors


#: Marks a value that broke its rule (it is left out of the cleaned row).
_BROKEN = object()


def clean_customers(
    rows: Sequence[Mapping[str, Any]],
) -> list[tuple[dict[str, Any], dict[str, list[str]]]]:
    """:func:`clean_customer` for many rows at once: the same results, row for row.

    The second executor of the one rule set, for bulk imports. Rows of text with the
    keys of the first row (every row of a CSV file) are checked a column at a time by
    each rule's ``column`` check; a column in which some value fails, and every other
    row, go through the rules value by value, so each message is the one
    :func:`clean_customer` gives, in the same order.
    """
    if not rows:
        return []
    keys = rows[0].keys()
    same = [row.keys() == keys for row in rows]
    group = range(len(rows)) if all(same) else [i for i, s in enumerate(same) if s]
    results: list[tuple[dict[str, Any], dict[str, list[str]]] | None] = [
        None if s else clean_customer(row) for row, s in zip(rows, same, strict=True)
    ]
    names = [name for name in RULES if name in keys]
    # The group's columns, transposed in C.
    members = rows if len(group) == len(rows) else [rows[i] for i in group]
    if len(names) > 1:
        table = dict(zip(names, zip(*map(itemgetter(*names), members), strict=True), strict=True))
    else:
        table = {name: tuple(row[name] for row in members) for name in names}
    errors: list[dict[str, list[str]] | None] = [None] * len(group)
    columns: list[Sequence[Any]] = []
    for name, rule in RULES.items():
        if name not in keys:
            if rule.required:
                for position in range(len(group)):
                    errors[position] = (errors[position] or {}) | {name: ["Required."]}
            continue
        values = table[name]
        checked = _column(rule, values)
        if checked is None:
            checked = _check_values(name, rule, values, errors)
        columns.append(checked)
    # Rows again, from the checked columns (no rule's field at all: empty rows).
    checked_rows = zip(*columns, strict=True) if columns else [()] * len(group)
    if not any(errors) and len(group) == len(rows):
        return [(dict(zip(names, values, strict=True)), {}) for values in checked_rows]
    for position, (i, values) in enumerate(zip(group, checked_rows, strict=True)):
        found = errors[position]
        if found is None:
            results[i] = (dict(zip(names, values, strict=True)), {})
        else:
            clean = {n: v for n, v in zip(names, values, strict=True) if v is not _BROKEN}
            results[i] = (clean, found)
    return results  # type: ignore[return-value]


def _check_values(
    name: str,
    rule: FieldRule,
    values: Sequence[Any],
    errors: list[dict[str, list[str]] | None],
) -> list[Any]:
    """``values`` of the field ``name`` checked one by one, as :func:`clean_customer`
    does; a value that fails is :data:`_BROKEN` and its message goes to ``errors``
    at the value's position (a row's dict is made on its first message)."""
    checked: list[Any] = []
    for position, value in enumerate(values):
        message = None
        if value is None or value == "":
            if rule.required:
                message = "Required."
            else:
                checked.append(rule.empty)
                continue
        else:
            try:
                checked.append(rule.check(value))
                continue
            except RuleError as error:
                message = str(error)
        checked.append(_BROKEN)
        found = errors[position]
        if found is None:
            found = errors[position] = {}
        found[name] = [message]
    return checked


def _column(rule: FieldRule, values: Sequence[Any]) -> Sequence[Any] | None:
    """``values`` checked by the rule's column check, or ``None`` when it cannot vouch
    for them all (not all text, a required value empty, or a value that fails)."""
    if rule.column is None or not set(map(type, values)) <= {str}:
        return None
    if "" not in values:
        return rule.column(list(values))
    if rule.required:
        return None
    checked = rule.column([v for v in values if v])
    if checked is None:
        return None
    filled = iter(checked)
    return [next(filled) if v else rule.empty for v in values]
