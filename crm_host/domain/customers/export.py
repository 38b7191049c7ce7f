"""Exporting customers to CSV, JSON Lines or XLSX, streamed, safe to open in a spreadsheet.

The columns are the API's field names, so an export can be imported again. Phone and
ID numbers are masked exactly as the API masks them (``138****5678``) unless the
export is asked for with ``reveal``, which needs ``host.customers.reveal`` and is
audited as a revealed export. Text
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at
the start) is prefixed with ``'`` — except plain numbers such as ``+8613812345678``
or ``-5``, which a spreadsheet reads as numbers, not formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from crm_host.core.errors import Forbidden
from crm_host.core.models import Customer, User
from crm_host.core.sensitive import REVEAL_PERMISSION, SENSITIVE_FIELDS, mask, may_reveal
from crm_host.domain.customers.custom_fields import definitions
from crm_host.domain.customers.rules import FIELDS, LINK_COLUMNS
from crm_host.records import audit

FORMATS = ("csv", "jsonl", "xlsx")
BASE_COLUMNS = FIELDS + LINK_COLUMNS
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 .]*$")


def neutralise(value: Any) -> Any:
    """Make a cell value inert in spreadsheets (see the module docstring)."""
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


def printable_in_xlsx(value: Any) -> Any:
    """``value`` with the control characters a worksheet cannot hold (XML 1.0 has no
    form for them) shown as U+FFFD, so one stray byte in a field does not fail the
    whole export; CSV and JSON Lines keep them as they are."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def columns(session: Session) -> list[str]:
    """The export's columns: the API fields, then ``custom.<name>`` per custom field."""
    return list(BASE_COLUMNS) + [f"custom.{name}" for name in definitions(session)]


def rows(
    session: Session, *, include_archived: bool = False, reveal: bool = False, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """Customers as flat dicts keyed by :func:`columns`, streamed in id order.

    Sensitive fields are masked unless ``reveal`` (the caller checked the permission).
    """
    custom_names = list(definitions(session))
    query = (
        sa.select(Customer)
        .options(
            selectinload(Customer.tags),
            selectinload(Customer.departments),
            selectinload(Customer.parent),
        )
        .order_by(Customer.id)
        .execution_options(yield_per=batch)
    )
    if not include_archived:
        query = query.where(Customer.archived_at.is_(None))
    for customer in session.scalars(query):
        record: dict[str, Any] = {name: getattr(customer, name) for name in FIELDS}
        if not reveal:
            for name in SENSITIVE_FIELDS["customer"]:
                record[name] = mask(record[name])
        record["kind"] = customer.kind.value if customer.kind else None
        record["lifecycle_stage"] = (
            customer.lifecycle_stage.value if customer.lifecycle_stage else None
        )
        if isinstance(record["birth_date"], date):
            record["birth_date"] = record["birth_date"].isoformat()
        record["parent_code"] = customer.parent.code if customer.parent else None
        record["departments"] = ";".join(sorted(d.code for d in customer.departments))
        record["tags"] = ";".join(sorted(t.name for t in customer.tags))
        for name in custom_names:
            record[f"custom.{name}"] = (customer.custom or {}).get(name)
        yield record


def write(session: Session, out: IO[bytes], fmt: str, **options: Any) -> int:
    """Write the export to a binary stream; returns the number of customers."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    header = columns(session)
    count = 0
    if fmt == "jsonl":
        for record in rows(session, **options):
            out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
            count += 1
        return count
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.DictWriter(text, fieldnames=header)
        writer.writeheader()
        for record in rows(session, **options):
            writer.writerow({k: neutralise("" if v is None else v) for k, v in record.items()})
            count += 1
        text.detach()
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("customers")
    sheet.append([printable_in_xlsx(name) for name in header])
    for record in rows(session, **options):
        sheet.append([printable_in_xlsx(neutralise(record[c])) for c in header])
        count += 1
    workbook.save(out)
    return count


def check_reveal(reveal: bool) -> None:
    """Refuse a revealed export (403 naming the permission) to whoever may not reveal."""
    if reveal and not may_reveal():
        raise Forbidden(
            f"An export with reveal needs the permission {REVEAL_PERMISSION}.",
            details={"reveal": [f"You need the permission {REVEAL_PERMISSION}."]},
        )


def export(
    session: Session,
    out: IO[bytes],
    fmt: str,
    *,
    reveal: bool = False,
    include_archived: bool = False,
    actor: User | None = None,
) -> int:
    """Write the export (:func:`write`) and its audit entry: ``export``, or
    ``export-revealed`` when phone and ID numbers went out in full; with the count.

    Checks the reveal permission first (in a request; commands may reveal). The
    caller commits.
    """
    check_reveal(reveal)
    count = write(session, out, fmt, include_archived=include_archived, reveal=reveal)
    audit.record(
        session,
        "export-revealed" if reveal else "export",
        "customer",
        None,
        after={"format": fmt, "revealed": reveal, "archived": include_archived},
        actor=actor,
        row_count=count,
    )
    return count
