"""Normalisation of names, emails, phone numbers and line breaks."""

from __future__ import annotations

import re
import unicodedata

from crm_host.core.phones import phone_key

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LINE_BREAKS = re.compile(r"[\r\n]+")


def normalize_name(name: str) -> str:
    """Fold a name for matching: NFKC (full-width → half-width), case-folded, no spaces or
    punctuation. ``"ＡＢＣ Trading, Ltd."`` and ``"abc trading ltd"`` fold alike, and
    Chinese characters are kept as they are."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())


def normalize_phone(phone: str) -> str:
    """The number's E.164 form (read in the company's region), so local, national and
    international forms meet; digits only for text that is no possible number."""
    return phone_key(phone)


def has_line_break(text: str) -> bool:
    """Whether ``text`` holds a line break (LF or CR)."""
    return "\n" in text or "\r" in text


def fold_lines(text: str) -> str:
    """``text`` on one line: each run of line breaks (CRLF, LF, CR, blank lines) becomes
    one space. A name typed with Alt+Enter in a spreadsheet cell is one name."""
    return _LINE_BREAKS.sub(" ", text)


def normalise_line_breaks(text: str) -> str:
    """``text`` with every CRLF or lone CR written as LF: an address keeps its lines,
    in one form whichever system typed them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
