"""Normalisation of names, emails and phone numbers for search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D+")


def normalize_name(name: str) -> str:
    """Fold a name for matching: NFKC (full-width → half-width), case-folded, no spaces or
    punctuation. ``"ＡＢＣ Trading, Ltd."`` and ``"abc trading ltd"`` fold alike, and
    Chinese characters are kept as they are."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())


def normalize_phone(phone: str) -> str:
    """Digits only, without a leading +86 / 0086, so local and international forms meet."""
    digits = _NOT_DIGIT.sub("", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits
