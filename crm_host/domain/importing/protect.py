"""Rejected rows keep the file's values as typed: their sensitive ones are kept out of sight.

A refused row is stored (``import_rejects.raw``, and so in backups) so that whoever
fixes the file sees what was wrong. Phone and ID numbers in it are protected like the
customer's own columns: encrypted under the field keys when the company has them
(someone allowed to reveal gets them back in the rejects file), masked when it does
not. A cell is protected when its column is a sensitive one, and wherever it holds a
run of seven or more digits — a JSON Lines row or a row with too many fields has no
reliable columns, and a phone is a phone in any column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from crm_host.core import sensitive

#: Columns of an import file that hold what the database keeps encrypted.
SENSITIVE_COLUMNS = frozenset({"phone", "id_number", "line1", "line2", "mobile"})
#: A phone or ID number inside any text: seven or more digits, perhaps separated by
#: single spaces, dashes or brackets, an ID number's closing X — and not part of a
#: word, a decimal number or a time.
_RUN = re.compile(r"(?<![\w.:])\+?\d(?:[\s()-]?\d){6,}[Xx]?(?![\w.:])")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
#: What a value encrypted under a key this process lacks shows in a rejects file.
UNREADABLE = "[encrypted]"


def _is_sensitive_column(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in SENSITIVE_COLUMNS


def _numbers(text: str) -> list[re.Match[str]]:
    """The phone or ID numbers in ``text`` (dates are not)."""
    return [m for m in _RUN.finditer(text) if not _DATE.fullmatch(m.group())]


def mask_numbers(text: str) -> str:
    """``text`` with the middle of every phone or ID number hidden."""
    for match in reversed(_numbers(text)):
        masked = sensitive.mask(match.group()) or ""
        text = text[: match.start()] + masked + text[match.end() :]
    return text


def _masked(text: str) -> str:
    """The numbers in ``text`` masked, or all of it when it has none."""
    return mask_numbers(text) if _numbers(text) else sensitive.mask(text) or ""


def protect(raw: Sequence[Any] | None, header: Sequence[str] | None = None) -> list[Any] | None:
    """The cells of a refused row as they may be stored: sensitive ones encrypted
    under the current field key, or masked when no keys are configured."""
    if raw is None:
        return None
    cipher = sensitive.cipher()
    columns = list(header or ())
    protected: list[Any] = []
    for index, cell in enumerate(raw):
        text = None if cell is None else str(cell)
        in_column = index < len(columns) and _is_sensitive_column(columns[index])
        if not text or not (in_column or _numbers(text)):
            protected.append(cell)
        elif cipher is not None:
            protected.append(cipher.encrypt(text))
        else:
            protected.append(sensitive.mask(text) if in_column else mask_numbers(text))
    return protected


def reveal(raw: Sequence[Any] | None, *, allowed: bool) -> list[Any]:
    """The cells of a stored refused row for a rejects file: decrypted for someone
    ``allowed`` to see sensitive values, masked for anyone else."""
    cipher = sensitive.cipher()
    shown: list[Any] = []
    for cell in raw or ():
        if not isinstance(cell, str) or not cell.startswith(sensitive.PREFIX):
            shown.append(cell)
            continue
        try:
            if cipher is None:
                raise sensitive.FieldKeyError("no keys")
            plain = cipher.decrypt(cell)
        except sensitive.FieldKeyError:
            shown.append(UNREADABLE)
            continue
        shown.append(plain if allowed else _masked(plain))
    return shown
