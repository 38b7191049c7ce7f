"""Keyset pagination: an opaque cursor holding the last row's values of the list's key.

Unlike OFFSET, each page costs the same at row 50 and at row 900,000: the database
seeks the index of the key columns to the cursor and reads one page.

Each list declares its key — the columns it is ordered by, ending with one that is
unique (usually the primary key) — as :class:`SortKey` values; nothing assumes a row
has an ``id``. A cursor is checked against that declaration (as many values as
columns, each of its column's type) before it reaches SQL, so an edited or foreign
cursor is a 400 naming the ``cursor`` parameter, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import BadRequest

#: The largest integer a cursor may carry: a 64-bit column's bound.
_MAX_INT = 2**63 - 1


def _integer(value: Any) -> int:
    if type(value) is not int or abs(value) > _MAX_INT:  # bool is an int subclass: refused
        raise ValueError("not an integer")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _timestamp(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timestamp without a zone")
    return moment.astimezone(UTC)  # OverflowError for the first and last instants


def _unchecked(value: Any) -> Any:
    return value


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class SortKey:
    """One column of a list's key: the column, how to read its value off a fetched row,
    and how the value travels in a cursor (``from_json`` raises ``ValueError`` or
    ``TypeError`` for a value of the wrong type)."""

    column: sa.ColumnElement[Any]
    value: Callable[[Any], Any]
    to_json: Callable[[Any], Any] = _same
    from_json: Callable[[Any], Any] = _unchecked


def _reader(column: Any) -> Callable[[Any], Any]:
    # A mapped attribute (``Model.customer_id``) names the attribute the row carries.
    name = column.key
    return lambda row: getattr(row, name)


def integer_key(column: Any) -> SortKey:
    """An integer column of the key, read off the row's attribute of the same name."""
    return SortKey(column, _reader(column), _same, _integer)


def text_key(column: Any) -> SortKey:
    """A text column of the key."""
    return SortKey(column, _reader(column), _same, _text)


def timestamp_key(column: Any) -> SortKey:
    """A timezone-aware timestamp column of the key (ISO 8601 in the cursor)."""
    return SortKey(column, _reader(column), datetime.isoformat, _timestamp)


def _bad_cursor(reason: str) -> BadRequest:
    return BadRequest(f"the cursor is not valid: {reason}", details={"cursor": ["Not a cursor."]})


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor for the given key values."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """The key values a cursor carries, checked against ``keys``; a cursor that is not
    one of this list's is a 400 naming the parameter."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise _bad_cursor("not base64 JSON") from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise _bad_cursor(f"expected a list of {len(keys)} values")
    try:
        return [key.from_json(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, OverflowError):
        raise _bad_cursor("a value of the wrong type") from None


def _after(keys: Sequence[SortKey], values: Sequence[Any], descending: bool) -> Any:
    """The condition "comes after ``values`` in the list's order"."""
    bound = [sa.literal(v, type_=k.column.type) for k, v in zip(keys, values, strict=True)]
    if len(keys) == 1:
        column = keys[0].column
        return column < bound[0] if descending else column > bound[0]
    pair = sa.tuple_(*(k.column for k in keys))
    return pair < sa.tuple_(*bound) if descending else pair > sa.tuple_(*bound)


def paginate(
    query: sa.Select[Any],
    *,
    keys: Sequence[SortKey],
    descending: bool,
    cursor: str | None,
    limit: int,
) -> tuple[sa.Select[Any], Callable[[list[Any]], tuple[list[Any], str | None]]]:
    """Order and limit ``query`` for one page; returns it and a function that trims the
    fetched rows and makes the next cursor."""
    if not keys:
        raise TypeError("a keyset list needs at least one key column")
    if cursor:
        query = query.where(_after(keys, decode_cursor(cursor, keys), descending))
    query = query.order_by(*(k.column.desc() if descending else k.column.asc() for k in keys))
    query = query.limit(limit + 1)

    def finish(rows: list[Any]) -> tuple[list[Any], str | None]:
        if len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        last = rows[-1]
        return rows, encode_cursor([k.to_json(k.value(last)) for k in keys])

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
    args: dict[str, Any],
    keys: Sequence[SortKey] | None = None,
    key: SortKey | None = None,
    id_column: Any = None,
    descending: bool = False,
) -> dict[str, Any]:
    """Run ``query`` for the page ``args`` ask for (``cursor``, ``limit``), ordered by
    ``keys`` (the last one unique).

    ``key`` plus ``id_column`` is the older spelling of a sort column and a unique
    tie-breaker. Returns ``{"items": [...], "next_cursor": str | None}``, the shape
    every list of the API answers with.
    """
    if keys is None:
        keys = [key] if key is not None else []
        if id_column is not None and (key is None or key.column is not id_column):
            keys.append(integer_key(id_column))
    query, finish = paginate(
        query,
        keys=keys,
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
    return fetch_page(session, query, keys=[integer_key(model.id)], args=args, descending=True)


def where_equal(
    query: sa.Select[Any], model: Any, args: dict[str, Any], names: Iterable[str]
) -> sa.Select[Any]:
    """Add ``model.<name> == args[name]`` for each of ``names`` given in ``args``."""
    for name in names:
        if args.get(name) is not None:
            query = query.where(getattr(model, name) == args[name])
    return query
