"""Global search: every registered type the user may see, found by what they type.

Each searchable type (see :class:`~crm_host.core.objects.registry.ObjectType`) is gated
before anything is counted: a type whose plugin is not enabled for one of the
user's departments, or whose read permission they lack, is not searched at all;
within a type, the record rule's WHERE clause joins the match, so the total per
type counts only rows the user may read. Nothing about hidden rows — not even
how many there are — reaches the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.errors import ValidationFailed
from crm_host.core.models import User
from crm_host.core.objects.access import enabled_plugins, object_registry
from crm_host.core.objects.registry import ObjectType
from crm_host.core.scopes import scope_of

#: The longest query: longer text is no search term (and would only cost a scan).
MAX_QUERY = 200
#: Results shown per type unless the caller asks for fewer or more (up to ``MAX_PER_TYPE``).
PER_TYPE = 5
MAX_PER_TYPE = 50


@dataclass(frozen=True)
class Hit:
    """One object found."""

    type: str
    id: str
    label: str
    console_url: str | None
    api_url: str | None


@dataclass
class TypeResults:
    """What one type contributed: how many of its readable objects match, and the first few."""

    type: str
    type_label: str
    total: int
    hits: list[Hit] = field(default_factory=list)


def clean_query(raw: Any) -> str:
    """``raw`` as a search term; a 422 naming ``q`` when it is empty or too long."""
    q = raw.strip() if isinstance(raw, str) else ""
    if not q:
        raise ValidationFailed("q is empty", details={"q": ["Type something to search for."]})
    if len(q) > MAX_QUERY:
        raise ValidationFailed(
            f"q is longer than {MAX_QUERY} characters",
            details={"q": [f"At most {MAX_QUERY} characters."]},
        )
    if "\x00" in q:
        raise ValidationFailed("q holds a NUL character", details={"q": ["No NUL characters."]})
    return q


def searchable_types(session: Session, user: User | None) -> list[ObjectType]:
    """The searchable types ``user`` may read at all (plugin enabled, read permission)."""
    types = [spec for spec in object_registry(session) if spec.is_searchable]
    if user is None:
        return types
    plugins = enabled_plugins(session, user)
    return [
        spec
        for spec in types
        if (spec.plugin is None or spec.plugin in plugins)
        and scope_of(session, user, spec.read) is not None
    ]


def visible_matches(
    session: Session, user: User | None, spec: ObjectType, q: str
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of the objects of ``spec`` that ``q`` finds and ``user`` may read."""
    dialect = session.get_bind().dialect.name
    where = [spec.matches(session, user, q, dialect)]
    if user is not None and spec.condition is not None:
        where.append(spec.condition(session, user, spec.read))
    return where


def search_type(
    session: Session, user: User | None, spec: ObjectType, q: str, limit: int
) -> TypeResults:
    """The readable matches of one type: their total and the first ``limit`` by label."""
    where = visible_matches(session, user, spec, q)
    total = session.scalar(sa.select(sa.func.count()).select_from(spec.model).where(*where)) or 0
    result = TypeResults(spec.name, spec.label, total)
    if not total or limit <= 0:
        return result
    columns = spec.link_columns()
    title = spec.title_expression().label("crm_title")
    query = (
        sa.select(title, *(c.label(name) for name, c in columns.items()))
        .where(*where)
        .order_by(title, spec.id_column)
        .limit(limit)
    )
    for row in session.execute(query).mappings():
        values = {name: row[name] for name in columns}
        result.hits.append(
            Hit(
                type=spec.name,
                id=str(values["id"]),
                label=str(row["crm_title"]),
                console_url=spec.link("console", values),
                api_url=spec.link("api", values),
            )
        )
    return result


def search(
    session: Session,
    user: User | None,
    raw_q: Any,
    *,
    per_type: int = PER_TYPE,
    types: list[str] | None = None,
) -> list[TypeResults]:
    """Search every type ``user`` may read (or only ``types``) for ``raw_q``.

    Returns one entry per type with at least one readable match, in registry order;
    ``per_type`` caps the hits of each, ``total`` says how many there are.
    """
    q = clean_query(raw_q)
    if not 0 <= per_type <= MAX_PER_TYPE:
        raise ValidationFailed(
            "per_type out of range",
            details={"per_type": [f"Between 0 and {MAX_PER_TYPE}."]},
        )
    results = []
    for spec in searchable_types(session, user):
        if types is not None and spec.name not in types:
            continue
        found = search_type(session, user, spec, q, per_type)
        if found.total:
            results.append(found)
    return results
