"""Sensitive fields: encrypted at rest, found by a keyed hash, masked for most eyes.

Phone numbers, ID numbers and address lines are stored encrypted when the company
configures keys (``CRM_FIELD_KEYS``: ``id:key`` pairs separated by commas, the first
one current; ``crm keys generate`` makes a key). Encryption is Fernet (AES-128-CBC
with HMAC-SHA256) through :class:`cryptography.fernet.MultiFernet`, so values written
under an older key stay readable until ``crm keys rotate`` re-encrypts them.

Encrypted values cannot be compared in SQL, so each searchable field has a *blind
index* beside it: an HMAC-SHA256 of the normalised value under a key derived from the
current field key. Exact lookup, duplicate detection and the phone lookup of a
telephony system compare blind indexes. Without keys the blind index is a plain
SHA-256 (the value itself is stored in clear then, so nothing is hidden by it).

The cipher is process-wide: the columns' type consults it when values cross the
database boundary, and every process of one installation reads the same keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

#: What marks a stored value as encrypted (anything else is a value stored in clear).
PREFIX = "enc1:"
REVEAL_PERMISSION = "host.customers.reveal"


class FieldKeyError(ValueError):
    """The configured field keys cannot be used; the message says which and why."""


@dataclass(frozen=True)
class FieldCipher:
    """The keys of one installation: encrypts, decrypts and computes blind indexes."""

    key_ids: tuple[str, ...]
    fernet: MultiFernet
    #: The blind-index key of each field key, in the same order (the current first).
    blind_keys: tuple[bytes, ...]
    #: Each field key's signing half: tells which key wrote a value without decrypting.
    signing_keys: tuple[bytes, ...] = ()

    @property
    def blind_key(self) -> bytes:
        """The blind-index key new values are indexed with (the current key's)."""
        return self.blind_keys[0]

    def encrypt(self, value: str) -> str:
        """The stored form of ``value``."""
        return PREFIX + self.fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The value of a stored form (values stored in clear come back as they are)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self.fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise FieldKeyError(
                "a stored value was encrypted with a key that is not in CRM_FIELD_KEYS"
            ) from None

    def rotate(self, stored: str) -> str:
        """``stored`` encrypted under the current key (values in clear get encrypted)."""
        return self.encrypt(self.decrypt(stored))

    def key_id_of(self, stored: str) -> str | None:
        """The id of the key ``stored`` was encrypted with, ``None`` for a value in
        clear; raises :class:`FieldKeyError` when no configured key wrote it.

        Checks the Fernet token's HMAC under each key (the token's last 32 bytes sign
        the rest with the key's first half), which is cheaper than decrypting.
        """
        if not stored.startswith(PREFIX):
            return None
        key_id = token_key_id(stored, dict(zip(self.key_ids, self.signing_keys, strict=True)))
        if key_id is None:
            raise FieldKeyError(
                "a stored value was encrypted with a key that is not in CRM_FIELD_KEYS"
            )
        return key_id


def token_key_id(stored: str, signing_keys: dict[str, bytes]) -> str | None:
    """Which of ``signing_keys`` (key id → signing half) signed the stored value."""
    try:
        token = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
    except (ValueError, TypeError):
        return None
    body, signature = token[:-32], token[-32:]
    for key_id, signing_key in signing_keys.items():
        if hmac.compare_digest(hmac.new(signing_key, body, hashlib.sha256).digest(), signature):
            return key_id
    return None


def parse_keys(text: str) -> FieldCipher:
    """Read ``CRM_FIELD_KEYS`` (``id:key,id:key``, the first current)."""
    pairs = [part.strip() for part in text.split(",") if part.strip()]
    if not pairs:
        raise FieldKeyError("CRM_FIELD_KEYS is empty: give id:key pairs, the current one first")
    ids, fernets, raw_keys = [], [], []
    for pair in pairs:
        key_id, sep, key = pair.partition(":")
        if not sep or not key_id:
            raise FieldKeyError(f"CRM_FIELD_KEYS: {pair[:12]}… is not id:key")
        if key_id in ids:
            raise FieldKeyError(f"CRM_FIELD_KEYS: key id {key_id!r} appears twice")
        try:
            fernets.append(Fernet(key.encode("ascii")))
            raw_keys.append(base64.urlsafe_b64decode(key.encode("ascii")))
        except (ValueError, TypeError):
            raise FieldKeyError(
                f"CRM_FIELD_KEYS: the key of {key_id!r} is not 32 url-safe base64 bytes "
                "(make one with `crm keys generate`)"
            ) from None
        ids.append(key_id)
    blind_keys = tuple(
        hmac.new(raw, b"crm-host blind index", hashlib.sha256).digest() for raw in raw_keys
    )
    signing = tuple(raw[:16] for raw in raw_keys)  # Fernet's layout: signing key, then AES key
    return FieldCipher(tuple(ids), MultiFernet(fernets), blind_keys, signing)


def generate_key(key_id: str | None = None) -> str:
    """A new ``id:key`` pair for ``CRM_FIELD_KEYS``."""
    return f"{key_id or secrets.token_hex(3)}:{Fernet.generate_key().decode('ascii')}"


_cipher: FieldCipher | None = None


def configure(keys: str | None) -> FieldCipher | None:
    """Set this process's keys from ``CRM_FIELD_KEYS`` (``None``: store in clear)."""
    global _cipher
    _cipher = parse_keys(keys) if keys else None
    return _cipher


def cipher() -> FieldCipher | None:
    """The process's field keys, or ``None`` when values are stored in clear."""
    return _cipher


@contextmanager
def using(keys: str | None) -> Iterator[FieldCipher | None]:
    """Use other keys for a while (tests, ``crm keys rotate``)."""
    global _cipher
    previous = _cipher
    try:
        yield configure(keys)
    finally:
        _cipher = previous


def blind(value: str | None) -> str | None:
    """The blind index of an already normalised value (``None`` stays ``None``)."""
    if value is None or value == "":
        return None
    data = value.encode("utf-8")
    current = _cipher
    if current is None:
        return hashlib.sha256(b"crm-host unkeyed:" + data).hexdigest()
    return hmac.new(current.blind_key, data, hashlib.sha256).hexdigest()


def blinds(value: str | None) -> list[str]:
    """The blind indexes of an already normalised value under every configured key,
    the current one first: what a lookup compares with ``IN``.

    Between a restart with a new current key and the end of ``crm keys rotate``, the
    rows not yet rewritten carry the older key's index; looking up by every key's
    index finds them meanwhile.
    """
    if value is None or value == "":
        return []
    current = _cipher
    if current is None:
        return [blind(value) or ""]
    data = value.encode("utf-8")
    return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in current.blind_keys]


def blind_phones(phone: str | None) -> list[str]:
    """The blind indexes of a phone number under every configured key (see :func:`blinds`)."""
    from crm_host.core.text import normalize_phone

    return blinds(normalize_phone(phone)) if phone else []


def blind_id_numbers(number: str | None) -> list[str]:
    """The blind indexes of an ID number under every configured key (see :func:`blinds`)."""
    return blinds(number.strip().upper()) if number else []


def blind_phone(phone: str | None) -> str | None:
    """The blind index of a phone number, in whatever form it was typed."""
    from crm_host.core.text import normalize_phone

    return blind(normalize_phone(phone)) if phone else None


def blind_id_number(number: str | None) -> str | None:
    """The blind index of an ID number (letters compared upper-case)."""
    return blind(number.strip().upper()) if number else None


def mask(value: str | None) -> str | None:
    """``value`` with its middle hidden: ``138****5678``; short values wholly."""
    if not value:
        return value
    if len(value) <= 6:
        return "*" * len(value)
    keep_start = 3 if len(value) >= 10 else 1
    return value[:keep_start] + "*" * (len(value) - keep_start - 4) + value[-4:]


class Encrypted(sa.types.TypeDecorator[str]):
    """A text column stored encrypted when keys are configured.

    Never compare such a column in SQL: the stored form differs at every write. Look
    values up through their blind index instead.
    """

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        current = _cipher
        if value is None or current is None or str(value).startswith(PREFIX):
            return value
        return current.encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None or not str(value).startswith(PREFIX):
            return value
        current = _cipher
        if current is None:
            raise FieldKeyError(
                "a stored value is encrypted but CRM_FIELD_KEYS is not set in this process"
            )
        return current.decrypt(value)


#: The host fields that are sensitive: stored encrypted, masked for users without reveal.
SENSITIVE_FIELDS = {
    "customer": ("phone", "id_number"),
    "contact": ("phone",),
    "address": ("line1", "line2"),
}


def shown(value: str | None) -> str | None:
    """``value`` as whoever asks may see it: in full with reveal, masked otherwise.

    Every place that hands a sensitive host value to a user — an API field, a console
    page, a PDF, an export — goes through this (or :class:`crm_host.core.fields.Masked`,
    which calls it), so one rule decides what is shown.
    """
    return value if may_reveal() else mask(value)


def may_reveal() -> bool:
    """Whether whoever asks may see sensitive values in full.

    Outside a request (commands, jobs) the answer is yes; in a request, the signed-in
    user needs ``host.customers.reveal``. Asked once per request. The app tells how to
    ask (``app.extensions["crm_reveal_check"]``, set by the app factory): this module
    stays free of the web layer and the permission tables, which the models using it
    must not import. An app that set no check reveals nothing.
    """
    from flask import current_app, g, has_request_context

    if not has_request_context():
        return True
    if "crm_may_reveal" not in g:
        check = current_app.extensions.get("crm_reveal_check")
        g.crm_may_reveal = bool(check is not None and check())
    return bool(g.crm_may_reveal)
