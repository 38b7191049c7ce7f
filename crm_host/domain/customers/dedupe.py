"""Finding duplicate customers: the same email, phone, code or folded name.

Keys are normalised the way people mistype them: emails case-folded, phone numbers
in E.164 (read in the company's region), codes without case and punctuation, names
folded (full-width, case, spaces).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import Customer
from crm_host.core.text import normalize_phone

KEYS = ("email", "phone", "code", "name")
_NOT_DIGIT = re.compile(r"\D+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def phone_key(phone: str) -> str:
    """The number in E.164, so local, national and international forms meet."""
    return normalize_phone(phone)


@dataclass(frozen=True)
class DuplicateGroup:
    """Customers sharing one normalised key."""

    key: str
    value: str
    customer_ids: tuple[int, ...]


def find_duplicates(session: Session, keys: Iterable[str] = KEYS) -> list[DuplicateGroup]:
    """Groups of two or more live customers sharing a normalised key, biggest first."""
    keys = list(keys)
    unknown = [k for k in keys if k not in KEYS]
    if unknown:
        raise ValueError(f"unknown duplicate key(s) {', '.join(unknown)}: use {', '.join(KEYS)}")
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    query = (
        sa.select(Customer.id, Customer.email, Customer.phone, Customer.code, Customer.search_name)
        .where(Customer.archived_at.is_(None))
        .order_by(Customer.id)
        .execution_options(yield_per=10_000)
    )
    for customer_id, email, phone, code, folded in session.execute(query):
        candidates = {
            "email": email.strip().casefold() if email else "",
            "phone": phone_key(phone) if phone else "",
            "code": _NOT_ALNUM.sub("", code.casefold()),
            "name": folded or "",
        }
        for key in keys:
            if candidates[key]:
                buckets[(key, candidates[key])].append(customer_id)
    groups = [
        DuplicateGroup(key, value, tuple(ids))
        for (key, value), ids in buckets.items()
        if len(ids) > 1
    ]
    return sorted(groups, key=lambda g: (-len(g.customer_ids), g.key, g.value))
