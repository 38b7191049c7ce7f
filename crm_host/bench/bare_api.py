"""The API benchmark's baseline: a bare Flask + SQLAlchemy Core app with the same queries.

What a developer would write by hand for the two requests the benchmark sends: a
customer's detail and a 50-row keyset page in name order. It runs the queries the
host's API runs (the customer row, then its departments, tags, contacts and
addresses by customer id) on the same tables and answers the same JSON, but has no
sign-in, permissions, schemas or plugins. Serve it like the host:
``CRM_BENCH_BARE_DATABASE_URL=… gunicorn 'crm_host.bench.bare_api:create_app()'``.
"""

from __future__ import annotations

import base64
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, jsonify, request

from crm_host.core.models import Address, Contact, Customer, Department, Tag
from crm_host.core.models.customers import customer_departments, customer_tags

ENV_VAR = "CRM_BENCH_BARE_DATABASE_URL"

customers = Customer.__table__
contacts = Contact.__table__
addresses = Address.__table__
departments = Department.__table__
tags = Tag.__table__

#: The fields of a customer in a page, in the host's ``CustomerOut`` (departments and tags apart).
CUSTOMER_COLUMNS = [
    customers.c[name]
    for name in (
        "id",
        "code",
        "name",
        "kind",
        "email",
        "phone",
        "id_number",
        "lifecycle_stage",
        "tier",
        "gender",
        "birth_date",
        "occupation",
        "education",
        "region",
        "city",
        "preferred_language",
        "parent_id",
        "owner_id",
        "custom",
        "archived_at",
        "created_at",
        "updated_at",
    )
]
CONTACT_COLUMNS = [contacts.c[n] for n in ("id", "name", "title", "email", "phone", "is_primary")]
ADDRESS_COLUMNS = [
    addresses.c[n]
    for n in ("id", "kind", "line1", "line2", "city", "region", "postal_code", "country")
]


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        abort(422)
    if not isinstance(values, list) or len(values) != 2:
        abort(422)
    return values


def _jsonable(row: Any) -> dict[str, Any]:
    item = dict(row)
    for key in ("birth_date", "archived_at", "created_at", "updated_at"):
        if item[key] is not None:
            item[key] = item[key].isoformat()
    return item


def _names_by_customer(
    connection: sa.Connection,
    link: sa.Column[Any],
    name: sa.Column[Any],
    ids: Iterable[int],
) -> dict[int, list[str]]:
    """The ``name`` (department code, tag name) of what ``link`` ties each customer to, sorted."""
    rows = connection.execute(
        sa.select(link.table.c.customer_id, name)
        .join(name.table, name.table.c.id == link)
        .where(link.table.c.customer_id.in_(list(ids)))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in rows:
        found[customer_id].append(name)
    return {key: sorted(values) for key, values in found.items()}


def _with_links(connection: sa.Connection, items: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in items]
    codes = _names_by_customer(
        connection, customer_departments.c.department_id, departments.c.code, ids
    )
    names = _names_by_customer(connection, customer_tags.c.tag_id, tags.c.name, ids)
    for item in items:
        item["departments"] = codes.get(item["id"], [])
        item["tags"] = names.get(item["id"], [])


def create_app(url: str | None = None) -> Flask:
    """The bare app on ``url`` (default: ``CRM_BENCH_BARE_DATABASE_URL``)."""
    app = Flask(__name__)
    engine = sa.create_engine(url or os.environ[ENV_VAR])
    app.extensions["bare_engine"] = engine

    @app.get("/readyz")
    def readyz() -> Any:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return jsonify(status="ready")

    @app.get("/api/v1/customers")
    def page() -> Any:
        limit = min(max(request.args.get("limit", 50, type=int), 1), 200)
        query = sa.select(*CUSTOMER_COLUMNS).where(customers.c.archived_at.is_(None))
        cursor = request.args.get("cursor")
        if cursor:
            last_name, last_id = _decode(cursor)
            query = query.where(
                sa.tuple_(customers.c.search_name, customers.c.id)
                > sa.tuple_(sa.literal(last_name), sa.literal(last_id))
            )
        query = query.order_by(customers.c.search_name, customers.c.id).limit(limit + 1)
        with engine.connect() as connection:
            rows = connection.execute(
                query.add_columns(customers.c.search_name.label("_key"))
            ).mappings()
            items = [_jsonable(r) for r in rows]
            next_cursor = None
            if len(items) > limit:
                items = items[:limit]
                next_cursor = _encode([items[-1]["_key"], items[-1]["id"]])
            for item in items:
                del item["_key"]
            _with_links(connection, items)
        return jsonify(items=items, next_cursor=next_cursor)

    @app.get("/api/v1/customers/<int:customer_id>")
    def detail(customer_id: int) -> Any:
        with engine.connect() as connection:
            row = (
                connection.execute(
                    sa.select(*CUSTOMER_COLUMNS).where(customers.c.id == customer_id)
                )
                .mappings()
                .first()
            )
            if row is None:
                abort(404)
            item = _jsonable(row)
            _with_links(connection, [item])
            item["contacts"] = [
                dict(r)
                for r in connection.execute(
                    sa.select(*CONTACT_COLUMNS).where(contacts.c.customer_id == customer_id)
                ).mappings()
            ]
            item["addresses"] = [
                dict(r)
                for r in connection.execute(
                    sa.select(*ADDRESS_COLUMNS).where(addresses.c.customer_id == customer_id)
                ).mappings()
            ]
        return jsonify(item)

    return app
