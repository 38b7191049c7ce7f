"""The checks customer fields are made of: each takes one value (``check_*``, raising
:class:`RuleError`) or a column of non-empty strings at once (``*_column``, for bulk
imports). :mod:`crm_host.domain.customers.rules` puts them together into the rules of a
customer record; nothing else should need them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

# PHONE_NOISE is kept importable from here (rules re-exports it to the search and SDK).
from crm_host.core.phones import PHONE_NOISE as PHONE_NOISE
from crm_host.core.phones import PhoneError, company_region, to_e164
from crm_host.core.text import fold_lines, has_line_break, normalise_line_breaks

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")
# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the
# mail server's business; this catches the typos people actually make.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
# Control characters other than tab; a regex runs in C, a per-character loop would
# cost more than the rest of a row's checks on a million-row import. Line breaks are
# no control characters to refuse but data: a single-line field folds them into a
# space first, a multi-line one keeps them (as LF), and only then is this searched.
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: The same for multi-line text, whose line breaks are LF by then.
MULTILINE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class RuleError(ValueError):
    """A value broke a rule; the message is meant for the person who typed it."""


def _lines(value: str, multiline: bool) -> str:
    """A stripped value's line breaks as the field's kind wants them."""
    if not has_line_break(value):
        return value
    return normalise_line_breaks(value) if multiline else fold_lines(value)


def text_check(max_length: int, *, multiline: bool = False) -> Callable[[Any], str]:
    """A check of text: stripped, its line breaks folded into spaces or (for
    ``multiline`` fields, addresses and notes) kept as LF, at most ``max_length``
    characters, no other control character."""
    controls = MULTILINE_CONTROL_RE if multiline else CONTROL_RE

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise RuleError("Must be text.")
        value = _lines(value.strip(), multiline)
        if len(value) > max_length:
            raise RuleError(f"At most {max_length} characters.")
        if controls.search(value):
            raise RuleError("Control characters are not allowed.")
        return value

    return check


def text_column(
    max_length: int, *, multiline: bool = False
) -> Callable[[list[str]], list[str] | None]:
    """:func:`text_check` over a column of non-empty strings: the checked values, or
    ``None`` when one of them breaks the rule (the caller then finds which, value by
    value).

    The control check runs once over the column joined into one string, in C: a
    value at a time in Python would cost more than the rest of a bulk import's row.
    Only a column that is not all printable (a tab, a line break, a control character)
    needs the search at all.
    """
    controls = MULTILINE_CONTROL_RE if multiline else CONTROL_RE

    def column(values: list[str]) -> list[str] | None:
        values = [v.strip() for v in values]
        joined = " ".join(values)
        if not joined.isprintable():
            if has_line_break(joined):
                values = [_lines(v, multiline) for v in values]
                joined = " ".join(values)
            if controls.search(joined):
                return None
        if max(map(len, values), default=0) > max_length:
            return None
        return values

    return column


# Built once: rules run per row of million-row imports.
_TEXT_64 = text_check(64)
_TEXT_32 = text_check(32)
_TEXT_200 = text_check(200)
_TEXT_320 = text_check(320)
_TEXT_40 = text_check(40)
_TEXT_10 = text_check(10)


_TEXT_64_COLUMN = text_column(64)
_TEXT_200_COLUMN = text_column(200)
_TEXT_320_COLUMN = text_column(320)
_TEXT_40_COLUMN = text_column(40)
_TEXT_32_COLUMN = text_column(32)
_TEXT_10_COLUMN = text_column(10)


def choice_check(choices: tuple[str, ...]) -> Callable[[Any], str]:
    """A check that a value is one of ``choices``."""

    def check(value: Any) -> str:
        value = _TEXT_64(value)
        if value not in choices:
            raise RuleError(f"Must be one of: {', '.join(choices)}.")
        return value

    return check


def choice_column(choices: tuple[str, ...]) -> Callable[[list[str]], list[str] | None]:
    """:func:`choice_check` over a column."""
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


def check_code(value: Any) -> str:
    """A customer's code: letters, digits and ``. _ - /``."""
    value = _TEXT_64(value)
    if not CODE_RE.match(value):
        raise RuleError("Letters, digits and . _ - / only, starting with a letter or digit.")
    return value


code_column = _matching(_TEXT_64_COLUMN, CODE_RE)


def name_column(values: list[str]) -> list[str] | None:
    """:func:`check_name` over a column."""
    checked = _TEXT_200_COLUMN(values)
    return checked if checked is not None and all(checked) else None


def check_name(value: Any) -> str:
    """A customer's name: text that is not blank."""
    value = _TEXT_200(value)
    if not value:
        raise RuleError("Required.")
    return value


def check_email(value: Any) -> str:
    """An email address, in lower case."""
    value = _TEXT_320(value).lower()
    if not EMAIL_RE.match(value):
        raise RuleError("Not a valid email address.")
    return value


email_column = _matching(_TEXT_320_COLUMN, EMAIL_RE, str.lower)


def check_phone(value: Any) -> str:
    """A phone number in E.164 (see :mod:`crm_host.core.phones`), read in the company's region."""
    try:
        return to_e164(_TEXT_40(value))
    except PhoneError:
        raise RuleError("Not a valid phone number: digits, optionally starting with +.") from None


def phone_column(values: list[str]) -> list[str] | None:
    """:func:`check_phone` over a column; each distinct number is parsed once, and one
    already in E.164 not at all."""
    checked = _TEXT_40_COLUMN(values)
    if checked is None:
        return None
    region = company_region()
    numbers: dict[str, str] = {}
    try:
        for text in set(checked):
            numbers[text] = to_e164(text, region)
    except PhoneError:
        return None
    return [numbers[text] for text in checked]


ID_NUMBER_RE = re.compile(r"^[0-9A-Z-]{4,32}$")


def check_id_number(value: Any) -> str:
    """An ID number, in upper case."""
    value = _TEXT_32(value).upper()
    if not ID_NUMBER_RE.match(value):
        raise RuleError("Letters, digits and - only, 4 to 32 characters.")
    return value


def check_birth_date(value: Any) -> date:
    """A date of birth (a date or ``YYYY-MM-DD``) between 1900-01-01 and today."""
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


id_number_column = _matching(_TEXT_32_COLUMN, ID_NUMBER_RE, str.upper)


def birth_date_column(values: list[str]) -> list[date] | None:
    """:func:`check_birth_date` over a column of ``YYYY-MM-DD`` text."""
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
