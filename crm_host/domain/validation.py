"""The one validation vocabulary: text, money, decimal, choice, date, customer reference,
phone and e-mail, each a plain function the domain layer calls.

Every rule takes the value, the field's name and an ``errors`` dict; a broken rule adds
its message under the field's name (``{field: [message]}``) and the rule returns what
the caller should store (cleaned, or ``None``). A service checks all its fields, then
calls :func:`fail_if` once, so its caller learns everything wrong in one answer.

The API's marshmallow fields (:mod:`crm_host.domain.validation_fields`) call these same
functions, so a schema and the domain never disagree about a value or its message.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from crm_host.core.errors import ValidationFailed
from crm_host.domain.customers.field_checks import CONTROL_RE, RuleError, check_email, check_phone

Errors = dict[str, list[str]]

#: The largest amount of money a Numeric(18, 2) column holds, with a margin for sums.
MAX_AMOUNT = Decimal("9999999999999.99")
#: One cent: what amounts of money are rounded to.
CENT = Decimal("0.01")
#: The largest id a BIGINT column holds.
MAX_ID = 2**63 - 1

# The host's control-character rule (the one customer records use): everything below a
# space except tab, and DEL. PostgreSQL refuses NUL in text outright; the others make
# lines that no list, export or log shows faithfully. Multiline text also keeps "\n".
_CONTROL = CONTROL_RE
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

REQUIRED = "Required."


def add_error(errors: Errors, field: str, message: str) -> None:
    """Note ``message`` against ``field`` (after any already there)."""
    errors.setdefault(field, []).append(message)


def fail_if(errors: Errors, message: str) -> None:
    """Raise :class:`ValidationFailed` with ``errors`` as its details when there are any."""
    if errors:
        raise ValidationFailed(message, details=errors)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing(value: Any, field: str, errors: Errors, required: bool) -> bool:
    """Whether ``value`` is absent (``None`` or blank); notes "Required." if it must not be."""
    if not _blank(value):
        return False
    if required:
        add_error(errors, field, REQUIRED)
    return True


def text(
    value: Any,
    field: str,
    errors: Errors,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """Trimmed text of at most ``max_length`` characters without control characters
    (tab allowed; a line break only in ``multiline`` text, where CRLF and CR become
    ``"\\n"``); ``None`` when blank and not ``required``."""
    if _missing(value, field, errors, required):
        return None
    if not isinstance(value, str):
        add_error(errors, field, "Must be text.")
        return None
    cleaned = value.strip()
    if multiline:
        cleaned = _NEWLINES.sub("\n", cleaned)
    if len(cleaned) > max_length:
        add_error(errors, field, f"At most {max_length} characters.")
    elif (_CONTROL_MULTILINE if multiline else _CONTROL).search(cleaned):
        add_error(errors, field, "Control characters are not allowed.")
    return cleaned


def _number(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or ``None`` when it is not a number."""
    if isinstance(value, bool):  # bool is an int to Python, never a number to a person
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def money(
    value: Any,
    field: str,
    errors: Errors,
    *,
    required: bool = True,
    allow_negative: bool = False,
    places: int = 2,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal | None:
    """An amount: a number with at most ``places`` decimals (a currency's minor units,
    2 unless told), not negative unless allowed, at most ``maximum`` either way.

    Money is exact: an amount with more decimals is refused, never rounded away.
    """
    if _missing(value, field, errors, required):
        return None
    amount = _number(value)
    if amount is None:
        add_error(errors, field, "Not a number.")
        return None
    unit = Decimal(1).scaleb(-places)
    if abs(amount) > maximum:
        add_error(errors, field, f"At most {maximum}.")
    elif amount < 0 and not allow_negative:
        add_error(errors, field, "Cannot be negative.")
    elif amount != amount.quantize(unit):
        add_error(errors, field, f"At most {places} decimal places.")
    else:
        return amount.quantize(unit)
    return None


def currency(value: Any, field: str, errors: Errors, *, required: bool = True) -> str | None:
    """An ISO 4217 currency code, in capitals as the standard writes it (``CNY``)."""
    if _missing(value, field, errors, required):
        return None
    code = value.strip() if isinstance(value, str) else ""
    if not _CURRENCY_RE.match(code):
        add_error(errors, field, "Three capital letters, e.g. CNY.")
        return None
    return code


def _bounds(
    minimum: Decimal | None, maximum: Decimal | None, min_exclusive: bool, max_exclusive: bool
) -> str:
    """The range in words: "A number from 0 to 100.", "A number more than 0 and at most 5." """
    if minimum is not None and maximum is not None and not (min_exclusive or max_exclusive):
        return f"A number from {minimum} to {maximum}."
    parts = []
    if minimum is not None:
        parts.append(f"{'more than' if min_exclusive else 'at least'} {minimum}")
    if maximum is not None:
        parts.append(f"{'less than' if max_exclusive else 'at most'} {maximum}")
    words = " and ".join(parts)
    return f"A number {words}." if words else "A number."


def decimal(
    value: Any,
    field: str,
    errors: Errors,
    *,
    places: int,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    min_exclusive: bool = False,
    max_exclusive: bool = False,
    required: bool = False,
) -> Decimal | None:
    """A measure (a quantity, a capacity, a percentage) within the bounds, rounded to
    ``places`` decimals: unlike money, a measure is as exact as its column keeps it."""
    if _missing(value, field, errors, required):
        return None
    number = _number(value)
    low = None if minimum is None else Decimal(minimum)
    high = None if maximum is None else Decimal(maximum)
    if (
        number is None
        or (low is not None and (number < low or (min_exclusive and number == low)))
        or (high is not None and (number > high or (max_exclusive and number == high)))
    ):
        add_error(errors, field, _bounds(low, high, min_exclusive, max_exclusive))
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def choice(
    value: Any,
    field: str,
    errors: Errors,
    choices: tuple[str, ...] | list[str],
    *,
    required: bool = False,
) -> str | None:
    """One of ``choices``, exactly as written there; the message names them all."""
    if _missing(value, field, errors, required):
        return None
    if value not in choices:
        add_error(errors, field, f"Must be one of: {', '.join(choices)}.")
        return None
    return value


def date(
    value: Any,
    field: str,
    errors: Errors,
    *,
    required: bool = False,
    minimum: Date | None = None,
    maximum: Date | None = None,
) -> Date | None:
    """A day: a ``date`` or ISO ``YYYY-MM-DD`` text, within the bounds when given."""
    if _missing(value, field, errors, required):
        return None
    if isinstance(value, Date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            if not (isinstance(value, str) and _ISO_DATE_RE.match(value.strip())):
                raise ValueError
            day = Date.fromisoformat(value.strip())
        except ValueError:
            add_error(errors, field, "Not a date: write YYYY-MM-DD, e.g. 2026-12-31.")
            return None
    if (minimum is not None and day < minimum) or (maximum is not None and day > maximum):
        low = minimum.isoformat() if minimum else "any day"
        high = maximum.isoformat() if maximum else "any day"
        add_error(errors, field, f"Must be between {low} and {high}.")
        return None
    return day


def reference_id(value: Any, field: str, errors: Errors, *, required: bool = True) -> int | None:
    """An id's shape: a positive integer within BIGINT range (existence not checked);
    digits as text (a console form's) are read as the number."""
    if _missing(value, field, errors, required):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        add_error(errors, field, "Not an id: a whole number from 1.")
        return None
    return value


def customer_ref(
    session: Session, value: Any, field: str, errors: Errors, *, required: bool = True
) -> int | None:
    """The id of an existing customer. Whether the user may see or change that customer
    is the caller's to ask afterwards (record rules), with the customer in hand."""
    from crm_host.core.models import Customer  # models import the whole schema: load on use

    number = reference_id(value, field, errors, required=required)
    if number is not None and session.get(Customer, number) is None:
        add_error(errors, field, f"No customer with id {number}.")
        return None
    return number


def phone(value: Any, field: str, errors: Errors, *, required: bool = False) -> str | None:
    """A phone number as the customer records keep it: digits with an optional leading
    ``+``, spaces, dashes, dots and brackets removed."""
    if _missing(value, field, errors, required):
        return None
    try:
        return check_phone(value)
    except RuleError as error:
        add_error(errors, field, str(error))
        return None


def email(value: Any, field: str, errors: Errors, *, required: bool = False) -> str | None:
    """An e-mail address as the customer records keep it: trimmed, in lower case."""
    if _missing(value, field, errors, required):
        return None
    try:
        return check_email(value)
    except RuleError as error:
        add_error(errors, field, str(error))
        return None
