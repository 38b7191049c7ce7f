"""Keyset pagination: an opaque cursor holding the last row's sort key and id.

Unlike OFFSET, each page costs the same at row 50 and at row 900,000: the database
seeks the (sort key, id) index to the cursor and reads one page.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.errors import ValidationFailed


@dataclass(frozen=True)
class SortKey:
    """A sortable column, with how to read its value off a row for the cursor."""

    column: sa.ColumnElement[Any]
    value: Callable[[Any], Any]
    to_json: Callable[[Any], Any] = lambda v: v
    from_json: Callable[[Any], Any] = lambda v: v


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor for the given key values."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The key values of a cursor; a malformed cursor is a 422 naming the parameter."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError, TypeError):
        raise ValidationFailed(
            "the cursor is not valid", details={"cursor": ["Not a cursor."]}
        ) from None


def paginate(
    query: sa.Select[Any],
    *,
    key: SortKey,
    id_column: sa.ColumnElement[int],
    descending: bool,
    cursor: str | None,
    limit: int,
) -> tuple[sa.Select[Any], Callable[[list[Any]], tuple[list[Any], str | None]]]:
    """Order and limit ``query`` for one page; returns it and a function that trims the
    fetched rows and makes the next cursor."""
    if cursor:
        last_value, last_id = decode_cursor(cursor)
        last_value = key.from_json(last_value)
        if not isinstance(last_id, int):
            raise ValidationFailed("the cursor is not valid", details={"cursor": ["Not a cursor."]})
        pair = sa.tuple_(key.column, id_column)
        bound = sa.tuple_(sa.literal(last_value), sa.literal(last_id))
        query = query.where(pair < bound if descending else pair > bound)
    if descending:
        query = query.order_by(key.column.desc(), id_column.desc())
    else:
        query = query.order_by(key.column.asc(), id_column.asc())
    query = query.limit(limit + 1)

    def finish(rows: list[Any]) -> tuple[list[Any], str | None]:
        if len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        last = rows[-1]
        return rows, encode_cursor([key.to_json(key.value(last)), last.id])

    return query, finish


class PageArgs(ma.Schema):
    """Query arguments of a paginated list."""

    cursor = ma.fields.String(validate=ma.validate.Length(max=1000))
    limit = ma.fields.Integer(
        load_default=50, strict=False, validate=ma.validate.Range(min=1, max=200)
    )


def fetch_page(
    session: Session,
    query: sa.Select[Any],
    *,
    key: SortKey,
    id_column: sa.ColumnElement[int],
    args: dict[str, Any],
    descending: bool = False,
) -> dict[str, Any]:
    """Run ``query`` for the page ``args`` ask for (``cursor``, ``limit``).

    Returns ``{"items": [...], "next_cursor": str | None}``, the shape every list
    of the API answers with.
    """
    query, finish = paginate(
        query,
        key=key,
        id_column=id_column,
        descending=descending,
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    rows, next_cursor = finish(list(session.scalars(query)))
    return {"items": rows, "next_cursor": next_cursor}


def newest_first(
    session: Session, query: sa.Select[Any], model: Any, args: dict[str, Any]
) -> dict[str, Any]:
    """A page of ``model`` rows by descending id (logs, jobs)."""
    return fetch_page(
        session,
        query,
        key=SortKey(model.id, lambda row: row.id),
        id_column=model.id,
        args=args,
        descending=True,
    )


def where_equal(
    query: sa.Select[Any], model: Any, args: dict[str, Any], names: Iterable[str]
) -> sa.Select[Any]:
    """Add ``model.<name> == args[name]`` for each of ``names`` given in ``args``."""
    for name in names:
        if args.get(name) is not None:
            query = query.where(getattr(model, name) == args[name])
    return query
