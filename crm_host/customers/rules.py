"""The rules of a customer record, in one place.

The API's schemas and the bulk importer both run these functions, so a row is
accepted or refused for the same reason whichever way it comes in. They work on
plain dicts of strings or JSON values and cost a few microseconds a row — cheap
enough for a million-row import, where a marshmallow load per row would not be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from crm_host.models import CustomerKind, LifecycleStage

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


# Built once: rules run per row of million-row imports.
_TEXT_64 = _text(64)
_TEXT_32 = _text(32)
_TEXT_200 = _text(200)
_TEXT_320 = _text(320)
_TEXT_40 = _text(40)
_TEXT_10 = _text(10)


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        value = _TEXT_64(value)
        if value not in choices:
            raise RuleError(f"Must be one of: {', '.join(choices)}.")
        return value

    return check


def _code(value: Any) -> str:
    value = _TEXT_64(value)
    if not CODE_RE.match(value):
        raise RuleError("Letters, digits and . _ - / only, starting with a letter or digit.")
    return value


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


def _phone(value: Any) -> str:
    value = _TEXT_40(value).translate(PHONE_NOISE)
    if not PHONE_RE.match(value):
        raise RuleError("Not a valid phone number: digits, optionally starting with +.")
    return value


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


@dataclass(frozen=True)
class FieldRule:
    """How one field of a customer is checked and normalised."""

    name: str
    check: Callable[[Any], Any]
    required: bool = False
    #: Identifies or describes a person: cleared when the customer's data is erased.
    personal: bool = False


RULES: dict[str, FieldRule] = {
    rule.name: rule
    for rule in (
        FieldRule("code", _code, required=True),
        FieldRule("name", _name, required=True),
        FieldRule("kind", _choice(tuple(k.value for k in CustomerKind)), required=True),
        FieldRule("email", _email, personal=True),
        FieldRule("phone", _phone, personal=True),
        FieldRule("lifecycle_stage", _choice(tuple(s.value for s in LifecycleStage))),
        FieldRule("tier", _text(32)),
        FieldRule("gender", _choice(GENDERS), personal=True),
        FieldRule("birth_date", _birth_date, personal=True),
        FieldRule("occupation", _text(100), personal=True),
        FieldRule("education", _text(100), personal=True),
        FieldRule("region", _text(100), personal=True),
        FieldRule("city", _text(100), personal=True),
        FieldRule("preferred_language", _choice(LANGUAGES), personal=True),
        FieldRule("id_number", _id_number, personal=True),
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
                clean[name] = None
            continue
        try:
            clean[name] = rule.check(value)
        except RuleError as error:
            errors[name] = [str(error)]
    return clean, errors
