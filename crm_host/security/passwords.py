"""What a new password must pass: a minimum length, not one of the most common
passwords, not one known from breaches, not the user's own name.

No composition rules (NIST SP 800-63B; ASVS 6.2): any characters, checked exactly as
typed. The common passwords are the 30,000 that head zxcvbn's list, drawn from
breach corpora. A company may add the full Pwned Passwords corpus offline: set
``BREACHED_PASSWORDS_FILE`` to its SHA-1 list, ordered by hash (one
``HASH:COUNT`` line each, as its downloader writes it); a new password whose hash is in
it is refused. The file is binary-searched where it lies, never loaded, and no
password or hash leaves the machine.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context

MIN_LENGTH = 8
#: Shorter user names ("li", "ann") occur by chance in good passphrases.
MIN_NAME_IN_PASSWORD = 4
#: A SHA-1 digest in hexadecimal, as the breach list writes it.
_DIGEST_LENGTH = 40


@cache
def _common() -> frozenset[str]:
    # zxcvbn's frequency lists load in a third of a second: only when a password is set.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password``, ignoring case, is one of the most common passwords."""
    return password.lower() in _common()


def breached_list() -> Path | None:
    """The configured breach list (``BREACHED_PASSWORDS_FILE``), or ``None``."""
    value = current_app.config.get("BREACHED_PASSWORDS_FILE") if has_app_context() else None
    return Path(value) if value else None


def in_breach_list(password: str, path: Path) -> bool:
    """Whether the SHA-1 of ``password`` is in the hash-ordered breach list at ``path``.

    A binary search over byte offsets: each probe reads the line after the offset, so
    a list of a billion lines costs some thirty reads.
    """
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    with path.open("rb") as handle:
        # Invariant: if the digest's line is there, it starts in [low, high).
        low, high = 0, os.fstat(handle.fileno()).st_size
        while low < high:
            middle = (low + high) // 2
            handle.seek(max(middle - 1, 0))
            if middle:
                handle.readline()  # up to the first line starting at or after middle
            start = handle.tell()
            line = handle.readline()
            if not line or start >= high:
                high = middle  # no line starts in [middle, high)
                continue
            found = line[:_DIGEST_LENGTH].decode("ascii", "replace").upper()
            if found == digest:
                return True
            if found < digest:
                low = handle.tell()
            else:
                high = middle
    return False


def problems(password: str, *, username: str | None = None) -> list[str]:
    """Why ``password`` may not be used, as messages for the password field (none: fine)."""
    if len(password) < MIN_LENGTH:
        return [f"At least {MIN_LENGTH} characters."]
    found = []
    if is_common(password):
        found.append("This is one of the most common passwords: choose another.")
    elif (
        username and len(username) >= MIN_NAME_IN_PASSWORD and username.lower() in password.lower()
    ):
        found.append("The password may not contain the user name.")
    path = breached_list()
    if not found and path is not None and in_breach_list(password, path):
        found.append("This password is known from data breaches: choose another.")
    return found
