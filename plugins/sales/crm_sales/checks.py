"""Small validation helpers shared by the services: references, money, currencies.

Every problem is collected per field and raised once as ``ValidationFailed`` so a
caller learns everything that is wrong with its input in one answer.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.sdk import Customer, Department, User, ValidationFailed

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
#: The largest amount a Numeric(18, 2) column holds, with a margin for sums.
MAX_AMOUNT = Decimal("9999999999999.99")
CENT = Decimal("0.01")

Errors = dict[str, list[str]]


def fail_if(errors: Errors, message: str) -> None:
    """Raise ``ValidationFailed`` with ``errors`` when there are any."""
    if errors:
        raise ValidationFailed(message, details=errors)


def money(value: Any, field: str, errors: Errors, *, allow_negative: bool = False) -> Decimal:
    """``value`` as a Decimal rounded to cents, within what the columns hold."""
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[field] = ["Not a number."]
        return Decimal("0")
    if abs(amount) > MAX_AMOUNT:
        errors[field] = [f"At most {MAX_AMOUNT}."]
    elif amount < 0 and not allow_negative:
        errors[field] = ["Cannot be negative."]
    return amount.quantize(CENT)


def currency(value: Any, errors: Errors, field: str = "currency") -> str:
    """An ISO 4217 code in capitals (``CNY``)."""
    code = str(value or "").strip().upper()
    if not CURRENCY_RE.match(code):
        errors[field] = ["Three letters, e.g. CNY."]
    return code


def text(
    value: Any, field: str, errors: Errors, *, max_length: int, required: bool = False
) -> str | None:
    """Trimmed text without control characters; ``None`` when empty and optional."""
    if value is None or not str(value).strip():
        if required:
            errors[field] = ["Required."]
        return None
    cleaned = str(value).strip()
    if len(cleaned) > max_length:
        errors[field] = [f"At most {max_length} characters."]
    elif any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        errors[field] = ["Control characters are not allowed."]
    return cleaned


def user_id(session: Session, value: Any, field: str, errors: Errors) -> int | None:
    """The id of an existing user, or ``None``."""
    if value is None:
        return None
    if session.get(User, value) is None:
        errors[field] = [f"No user with id {value}."]
    return value


def customer_id(session: Session, value: Any, field: str, errors: Errors) -> int | None:
    """The id of an existing customer."""
    if value is None:
        errors[field] = ["Required."]
        return None
    if session.get(Customer, value) is None:
        errors[field] = [f"No customer with id {value}."]
    return value


def department_id(session: Session, value: Any, field: str, errors: Errors) -> int | None:
    """A department given by id, code or name, as its id; ``None`` when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        found = session.get(Department, value)
    else:
        found = session.scalar(
            sa.select(Department).where(
                sa.or_(Department.code == str(value), Department.name == str(value))
            )
        )
    if found is None:
        errors[field] = [f"No department {value!r}."]
        return None
    return found.id
