"""Phone numbers in one form, E.164, read in the company's region.

``+8613800138000``, ``138 0013 8000`` and ``013800138000`` are one number: stored,
indexed (the blind index), looked up and compared for duplicates as
``+8613800138000``. A number typed without its country code is read in the
company's region, the host's ``PHONE_REGION`` setting (``CN`` unless configured).
Parsing costs some tens of microseconds, so a value already in E.164 is taken as it
is: a bulk import of clean numbers pays for none.
"""

from __future__ import annotations

import re

import phonenumbers
from flask import current_app, has_app_context

#: The region of numbers typed without a country code, outside an app or unset.
DEFAULT_REGION = "CN"
#: What people put between digits; dropped before a number is looked at.
PHONE_NOISE = str.maketrans("", "", " -().\u00a0")
#: A number already in E.164 (``+``, a country code, at most 15 digits in all).
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_NOT_DIGIT = re.compile(r"\D+")


class PhoneError(ValueError):
    """The text is not a phone number that can be read (in the region given)."""


def company_region() -> str:
    """The application's ``PHONE_REGION`` (an ISO 3166 code), or :data:`DEFAULT_REGION`."""
    if has_app_context():
        return str(current_app.config.get("PHONE_REGION") or DEFAULT_REGION).upper()
    return DEFAULT_REGION


def to_e164(text: str, region: str | None = None) -> str:
    """``text`` as an E.164 number, read in ``region`` (default: the company's) when it
    has no country code; raises :class:`PhoneError` when it is not a possible number."""
    compact = text.strip().translate(PHONE_NOISE)
    if E164_RE.match(compact) and not compact.startswith("+860"):
        return compact  # already E.164: no parsing (a +86 0… has a trunk 0 to drop)
    try:
        number = phonenumbers.parse(text, region or company_region())
    except phonenumbers.NumberParseException:
        raise PhoneError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_possible_number(number):
        raise PhoneError(f"not a possible phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_key(text: str, region: str | None = None) -> str:
    """What one number is compared and indexed by, whatever its form: its E.164 form,
    or for text that is no possible number (an old value), its digits."""
    try:
        return to_e164(text, region)
    except PhoneError:
        return _NOT_DIGIT.sub("", text)
