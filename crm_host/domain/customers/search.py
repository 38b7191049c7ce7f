"""Finding customers by what people type: part of a name, a code, an email, a phone number."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crm_host.core.models import Customer
from crm_host.core.sensitive import blind_id_numbers, blind_phones
from crm_host.core.text import normalize_name
from crm_host.domain.customers.rules import PHONE_NOISE


def name_condition(folded: str, dialect: str) -> sa.ColumnElement[bool]:
    """Customers whose folded name contains ``folded`` (any length, Chinese included).

    On PostgreSQL the unigram/bigram index (migration host0007) narrows the rows and
    the substring test confirms them; elsewhere the substring test scans.
    """
    contains = sa.func.strpos(Customer.search_name, folded) > 0
    if dialect == "postgresql":
        grams = sa.func.crm_name_grams
        return sa.and_(grams(Customer.search_name).op("@>")(grams(sa.literal(folded))), contains)
    return sa.func.instr(Customer.search_name, folded) > 0


def search_condition(
    q: str, dialect: str, *, exact_numbers: bool = False
) -> sa.ColumnElement[bool]:
    """The WHERE clause of a customer search box.

    Matching a whole phone or ID number is for callers who may see those numbers
    (``exact_numbers``: the user holds ``host.customers.reveal``). For anyone else a
    search would confirm who owns a number the page then masks — an oracle — so
    their number-shaped query matches names, codes and emails only.
    """
    q = q.strip()
    conditions: list[Any] = [Customer.code == q, Customer.email == q.lower()]
    if exact_numbers:
        # Phone and ID numbers may be stored encrypted: they are found by blind index,
        # under every configured key (rows not yet rotated carry an older key's).
        phones = blind_phones(q.translate(PHONE_NOISE))
        if phones:
            conditions.append(Customer.phone_blind.in_(phones))
        id_numbers = blind_id_numbers(q)
        if id_numbers and len(q) >= 4:
            conditions.append(Customer.id_number_blind.in_(id_numbers))
    folded = normalize_name(q)
    if folded:
        conditions.append(name_condition(folded, dialect))
    return sa.or_(*conditions)
