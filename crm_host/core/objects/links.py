"""Links to registered objects for lists that name them: the timeline, notifications, audit.

A list entry about an object ``(type, id)`` shows it as ``{"type", "id", "label",
"url", "api_url"}`` — ``url`` is its console page, ``api_url`` its API resource
(either ``None`` when the type declares none) — only when the object registry lets
the viewer read it; otherwise the entry carries no link and not even the label, so
a list never leaks what a user may not open. :func:`object_links` answers a whole
page at once: one query per type for the access check and one for the labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import User
from crm_host.core.objects.access import object_registry, readable
from crm_host.core.objects.registry import ObjectRegistry

#: A reference as lists hold it: ``(object_type, object_id)``, either may be ``None``.
Ref = tuple[Any, Any]


def object_links(
    session: Session, user: User | None, refs: Iterable[Ref]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The links of the objects among ``refs`` that ``user`` may read, by ``(type, str(id))``.

    Refs with no type, an unknown type or a missing object are left out, as are
    those the user may not read (``user=None`` is the system: every existing object).
    """
    wanted = {(t, i) for t, i in refs if t is not None and i is not None}
    if not wanted:
        return {}
    registry = object_registry(session)
    allowed = readable(session, user, wanted)
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_name, object_id in allowed:
        by_type[type_name].append(object_id)
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for type_name, ids in by_type.items():
        spec = registry.types[type_name]
        columns = spec.link_columns()
        title = spec.title_expression().label("crm_title")
        keys = [spec.key(i) for i in ids]
        query = sa.select(title, *(c.label(n) for n, c in columns.items())).where(
            spec.id_column.in_(keys)
        )
        for row in session.execute(query).mappings():
            values = {name: row[name] for name in columns}
            object_id = str(values["id"])
            links[(type_name, object_id)] = {
                "type": type_name,
                "id": object_id,
                "label": str(row["crm_title"]),
                "url": spec.link("console", values),
                "api_url": spec.link("api", values),
            }
    return links


def object_link(
    session: Session, user: User | None, type_name: str | None, object_id: Any
) -> dict[str, Any] | None:
    """The link of one object, or ``None`` when there is none or ``user`` may not read it."""
    if type_name is None or object_id is None:
        return None
    return object_links(session, user, [(type_name, object_id)]).get((type_name, str(object_id)))


def link_of(links: dict[tuple[str, str], dict[str, Any]], type_name: Any, object_id: Any) -> Any:
    """The link of ``(type_name, object_id)`` in what :func:`object_links` returned, or ``None``."""
    if type_name is None or object_id is None:
        return None
    return links.get((type_name, str(object_id)))


def audit_object_type(registry: ObjectRegistry, entity: str | None) -> str | None:
    """The registered type an audit row's entity names, or ``None`` when it names none.

    Audit rows name their entity in one of three ways, tried in order: the registered
    type itself (``service.ticket``), the type's table (``power_faults``), or the type
    with an underscore for the dot (``sales_lead``).
    """
    if not entity:
        return None
    if registry.get(entity) is not None:
        return entity
    for spec in registry:
        if getattr(spec.model, "__tablename__", None) == entity:
            return spec.name
    dotted = entity.replace("_", ".", 1)
    return dotted if registry.get(dotted) is not None else None


def audit_links(
    session: Session, user: User | None, rows: Iterable[Any]
) -> list[dict[str, Any] | None]:
    """The object link of each audit row (``object_type``, ``object_id``), in order."""
    registry = object_registry(session)
    rows = list(rows)
    refs = [(audit_object_type(registry, r.object_type), r.object_id) for r in rows]
    links = object_links(session, user, refs)
    return [link_of(links, t, i) for t, i in refs]
