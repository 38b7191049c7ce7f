"""The rules of a customer record, in one place.

The API's schemas and the bulk importer both run these functions, so a row is
accepted or refused for the same reason whichever way it comes in. They work on
plain dicts of strings or JSON values and cost a few microseconds a row — cheap
enough for a million-row import, where a marshmallow load per row would not be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from crm_host.core.models import CustomerKind, LifecycleStage

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")
# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the
# mail server's business; this catches the typos people actually make.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
PHONE_NOISE = str.maketrans("", "", " -().\u00a0")
# Control characters other than tab; a regex runs in C, a per-character loop would
# cost more than the rest of a row's checks on a million-row import.
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
GENDERS = ("female", "male", "other")
LANGUAGES = ("zh_Hans", "en")


class RuleError(ValueError):
    """A value broke a rule; the message is meant for the person who typed it."""


def _text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise RuleError("Must be text.")
        value = value.strip()
        if len(value) > max_length:
            raise RuleError(f"At most {max_length} characters.")
        if CONTROL_RE.search(value):
            raise RuleError("Control characters are not allowed.")
        return value

    return check


def _text_column(max_length: int) -> Callable[[list[str]], list[str] | None]:
    """:func:`_text` over a column of non-empty strings: the checked values, or ``None``
    when one of them breaks the rule (the caller then finds which, value by value).

    The control check runs once over the column joined into one string, in C: a
    value at a time in Python would cost more than the rest of a bulk import's row.
    Only a column that is not all printable (a tab, a control character) needs the
    search at all.
    """

    def column(values: list[str]) -> list[str] | None:
        values = [v.strip() for v in values]
        joined = " ".join(values)
        if not joined.isprintable() and CONTROL_RE.search(joined):
            return None
        if max(map(len, values), default=0) > max_length:
            return None
        return values

    return column


# Built once: rules run per row of million-row imports.
_TEXT_64 = _text(64)
_TEXT_32 = _text(32)
_TEXT_200 = _text(200)
_TEXT_320 = _text(320)
_TEXT_40 = _text(40)
_TEXT_10 = _text(10)


_TEXT_64_COLUMN = _text_column(64)
_TEXT_200_COLUMN = _text_column(200)
_TEXT_320_COLUMN = _text_column(320)
_TEXT_40_COLUMN = _text_column(40)
_TEXT_32_COLUMN = _text_column(32)
_TEXT_10_COLUMN = _text_column(10)


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        value = _TEXT_64(value)
        if value not in choices:
            raise RuleError(f"Must be one of: {', '.join(choices)}.")
        return value

    return check


def _choice_column(choices: tuple[str, ...]) -> Callable[[list[str]], list[str] | None]:
    allowed = frozenset(choices)

    def column(values: list[str]) -> list[str] | None:
        checked = _TEXT_64_COLUMN(values)
        return checked if checked is not None and allowed.issuperset(checked) else None

    return column


def _matching(
    text: Callable[[list[str]], list[str] | None],
    pattern: re.Pattern[str],
    normalise: Callable[[str], str] | None = None,
) -> Callable[[list[str]], list[str] | None]:
    """A column check: the text rule, then ``normalise``, then ``pattern`` on every value.

    Checked text holds no newline, so the column joined by newlines is normalised
    and matched whole, in C; ``pattern`` (``^…$``) must not match a newline itself.
    """
    if not (pattern.pattern.startswith("^") and pattern.pattern.endswith("$")):
        raise ValueError(f"{pattern.pattern!r}: a column check needs a ^…$ pattern")
    every = re.compile(f"(?:{pattern.pattern[1:-1]}\n)*")

    def column(values: list[str]) -> list[str] | None:
        checked = text(values)
        if not checked:  # None, or no values (splitting "" would make one)
            return checked
        joined = "\n".join(checked)
        if normalise is not None:
            joined = normalise(joined)
            checked = joined.split("\n")
        return checked if every.fullmatch(joined + "\n") else None

    return column


def _code(value: Any) -> str:
    value = _TEXT_64(value)
    if not CODE_RE.match(value):
        raise RuleError("Letters, digits and . _ - / only, starting with a letter or digit.")
    return value


_code_column = _matching(_TEXT_64_COLUMN, CODE_RE)


def _name_column(values: list[str]) -> list[str] | None:
    checked = _TEXT_200_COLUMN(values)
    return checked if checked is not None and all(checked) else None


def _name(value: Any) -> str:
    value = _TEXT_200(value)
    if not value:
        raise RuleError("Required.")
    return value


def _email(value: Any) -> str:
    value = _TEXT_320(value).lower()
    if not EMAIL_RE.match(value):
        raise RuleError("Not a valid email address.")
    return value


_email_column = _matching(_TEXT_320_COLUMN, EMAIL_RE, str.lower)


def _phone(value: Any) -> str:
    value = _TEXT_40(value).translate(PHONE_NOISE)
    if not PHONE_RE.match(value):
        raise RuleError("Not a valid phone number: digits, optionally starting with +.")
    return value


_phone_column = _matching(_TEXT_40_COLUMN, PHONE_RE, lambda text: text.translate(PHONE_NOISE))

ID_NUMBER_RE = re.compile(r"^[0-9A-Z-]{4,32}$")


def _id_number(value: Any) -> str:
    value = _TEXT_32(value).upper()
    if not ID_NUMBER_RE.match(value):
        raise RuleError("Letters, digits and - only, 4 to 32 characters.")
    return value


def _birth_date(value: Any) -> date:
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(_TEXT_10(value))
        except ValueError:
            raise RuleError("Not a date: write YYYY-MM-DD.") from None
    if not date(1900, 1, 1) <= parsed <= date.today():
        raise RuleError("Must be between 1900-01-01 and today.")
    return parsed


_id_number_column = _matching(_TEXT_32_COLUMN, ID_NUMBER_RE, str.upper)


def _birth_date_column(values: list[str]) -> list[date] | None:
    checked = _TEXT_10_COLUMN(values)
    if checked is None:
        return None
    earliest, today = date(1900, 1, 1), date.today()
    # A column holds few distinct dates: parse each once.
    parsed: dict[str, date] = {}
    for text in set(checked):
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return None
        if not earliest <= value <= today:
            return None
        parsed[text] = value
    return [parsed[text] for text in checked]


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
        FieldRule("code", _code, required=True, column=_code_column),
        FieldRule("name", _name, required=True, column=_name_column),
        FieldRule(
            "kind",
            _choice(_KINDS),
            required=True,
            column=_choice_column(_KINDS),
        ),
        FieldRule("email", _email, personal=True, column=_email_column),
        FieldRule("phone", _phone, personal=True, column=_phone_column),
        FieldRule(
            "lifecycle_stage",
            _choice(_STAGES),
            column=_choice_column(_STAGES),
            empty=LifecycleStage.PROSPECT.value,
        ),
        FieldRule("tier", _text(32), column=_TEXT_32_COLUMN),
        FieldRule("gender", _choice(GENDERS), personal=True, column=_choice_column(GENDERS)),
        FieldRule("birth_date", _birth_date, personal=True, column=_birth_date_column),
        FieldRule("occupation", _text(100), personal=True, column=_text_column(100)),
        FieldRule("education", _text(100), personal=True, column=_text_column(100)),
        FieldRule("region", _text(100), personal=True, column=_text_column(100)),
        FieldRule("city", _text(100), personal=True, column=_text_column(100)),
        FieldRule(
            "preferred_language",
            _choice(LANGUAGES),
            personal=True,
            column=_choice_column(LANGUAGES),
        ),
        FieldRule("id_number", _id_number, personal=True, column=_id_number_column),
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
            checked = []
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
