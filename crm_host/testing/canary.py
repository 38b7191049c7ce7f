"""The canary harness: no sensitive host value reaches a user who may not reveal it.

Known canary values — a phone number, an ID number, address lines — are planted on
every customer, contact and address (:func:`plant`). The harness then calls every
GET route of the app (API and console: lists, details, exports, reports, PDFs) as
each user and looks for the canaries in every answer, whatever its form (JSON with
escaped Chinese, HTML entities, CSV, XLSX cells, PDF text), in full, as bare digits,
and by their last eight digits with separators removed (:func:`exposed`).

Objects named by a URL come from the permission-matrix factories
(:mod:`crm_host.testing.matrix`), made before the canaries are planted, so every
customer they hang off carries them. A plugin author runs it over their own routes
exactly as the host runs it over the built-ins.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from crm_host.core.host import get_host
from crm_host.core.models import Address, Contact, Customer, User
from crm_host.testing.matrix import Factory, ObjectRef, Payload, PermissionMatrix, Route

#: A customer's own phone number (stored as typed, found by blind index).
CUSTOMER_PHONE = "+8613964203751"
#: The customer's number as a user types it into a search box or a lookup: a form
#: other than the stored one, so that the page echoing the query back is told apart
#: from the page giving the stored number away.
TYPED_PHONE = "0086 139-6420-3751"
#: A contact person's phone number.
CONTACT_PHONE = "+8615870493621"
#: A national ID number.
ID_NUMBER = "11010519880715803X"
#: Address lines (their masked forms keep the first three characters and the last four).
ADDRESS_LINE1 = "金丝雀路 8848 号院"
ADDRESS_LINE2 = "哨兵大厦 2207 室"

#: Rules whose answers cannot carry customer data or need a token, not a session.
SKIPPED_RULES = ("/static/", "/l/<", "/api/v1/openapi.json")


def needles() -> dict[str, tuple[str, ...]]:
    """What must never appear, per canary: the value, its digits, its last 8 digits;
    for address lines, their middle (the part a mask hides)."""
    found: dict[str, tuple[str, ...]] = {}
    for name, value in (
        ("customer phone", CUSTOMER_PHONE),
        ("contact phone", CONTACT_PHONE),
        ("ID number", ID_NUMBER),
    ):
        digits = re.sub(r"\D", "", value)
        found[name] = (value, digits, digits[-8:])
    for name, value in (("address line1", ADDRESS_LINE1), ("address line2", ADDRESS_LINE2)):
        # A mask keeps the first three characters and the last four.
        found[name] = (value, value[3:-4].strip())
    return found


def plant(session: Session) -> int:
    """Put the canaries on every customer, contact and address; returns the customers.

    Customers without a contact or an address get one, so every customer carries
    every canary. Blind indexes follow through the models' validators.
    """
    customers = list(session.scalars(sa.select(Customer)))
    for customer in customers:
        customer.phone = CUSTOMER_PHONE
        customer.id_number = ID_NUMBER
        if not customer.contacts:
            customer.contacts.append(Contact(name="金丝雀联系人"))
        if not customer.addresses:
            customer.addresses.append(Address(kind="mailing", line1=ADDRESS_LINE1, city="苏州"))
    session.flush()
    for contact in session.scalars(sa.select(Contact)):
        contact.phone = CONTACT_PHONE
    for address in session.scalars(sa.select(Address)):
        address.line1, address.line2 = ADDRESS_LINE1, ADDRESS_LINE2
    session.flush()
    return len(customers)


def body_text(data: bytes, content_type: str) -> str:
    """An answer as text a person would read: JSON unescaped, HTML entities decoded,
    XLSX cells and PDF text extracted."""
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            # A glyph missing from every font (CJK without a CJK font) comes out as
            # two-byte codes: the NULs would split the digits next to it.
            return text.replace("\x00", "")
        except PdfReadError:  # not a whole PDF (an uploaded file): read as bytes
            return data.decode("utf-8", errors="replace")
    if data.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = data.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


def exposed(text: str) -> list[str]:
    """The canaries ``text`` gives away (by name), with the form that was found."""
    squeezed = re.sub(r"[\s\-().]", "", text)
    found = []
    for name, forms in needles().items():
        for form in forms:
            if form in text or re.sub(r"[\s\-().]", "", form) in squeezed:
                found.append(f"{name} ({form})")
                break
    return found


@dataclass
class Request:
    """One GET the scan sends: a URL with its query, named for the report."""

    label: str
    url: str
    query: dict[str, Any] = field(default_factory=dict)


def get_routes(app: Flask) -> list[Route]:
    """Every GET route of the app, API and console, except :data:`SKIPPED_RULES`."""
    owners = get_host(app).blueprint_owners
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIPPED_RULES):
            continue
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
        routes.append(
            Route(
                rule=rule.rule,
                method="GET",
                endpoint=rule.endpoint,
                arguments=tuple(re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)),
                access=None,
                record_rule=False,
                plugin=owners.get(blueprint),
            )
        )
    return sorted(routes, key=lambda r: r.rule)


@dataclass
class CanaryScan:
    """Build the requests (objects first), plant the canaries, call everything as each
    user. ``factories`` per owning plugin (``None``: the host's), ``payloads`` give a
    GET's query arguments by (endpoint, "GET")."""

    app: Flask
    session: Session
    factories: dict[str | None, dict[str, Factory]]
    payloads: dict[tuple[str, str], Payload] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

    def prepare(self, maker: User, routes: Iterable[Route]) -> None:
        """Make the objects every route's URL names (as ``maker``), then plant."""
        for route in routes:
            factories = {**self.factories.get(None, {}), **self.factories.get(route.plugin, {})}
            missing = [a for a in route.arguments if a not in factories]
            if missing:
                self.unreachable.append(f"{route.rule} (no factory for {', '.join(missing)})")
                continue
            matrix = PermissionMatrix(self.app, self.session, {}, factories, self.payloads)
            objects: dict[str, ObjectRef] = matrix._objects(route, maker)
            query = matrix._payload(route, objects) or {}
            self.requests.append(Request(str(route), matrix._url(route, objects), query))
        with self.app.app_context():
            plant(self.session)
            self.session.commit()

    def run(self, users: dict[str, User]) -> tuple[list[str], dict[str, list[str]]]:
        """Every request as every user: the leaks found (``user: request → canaries``),
        and per user the requests answered 2xx (the scan's positive control)."""
        from crm_host.testing import login

        leaks: list[str] = []
        answered: dict[str, list[str]] = {}
        for label, user in users.items():
            client = login(self.app.test_client(), user)
            answered[label] = []
            for request in self.requests:
                response = client.get(request.url, query_string=request.query)
                if 200 <= response.status_code < 300:
                    answered[label].append(request.label)
                data = response.get_data()
                # What the user typed, echoed back (a search box), is not a leak.
                try:
                    text = body_text(data, response.content_type or "")
                except Exception as error:  # an unreadable answer is reported, not skipped
                    leaks.append(
                        f"{label}: {request.label} → unreadable ({error}, {len(data)} bytes)"
                    )
                    continue
                # (Only long values: stripping "1" or "csv" would blind the scan.)
                for typed in [v for v in map(str, request.query.values()) if len(v) >= 8]:
                    for echo in (typed, quote_plus(typed), quote(typed)):
                        text = text.replace(echo, "")
                found = exposed(text)
                if found:
                    leaks.append(f"{label}: {request.label} → {', '.join(found)}")
        return leaks, answered
