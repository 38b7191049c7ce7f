"""The object registry: every object type a shared service may address, and its owner.

Filled at start-up from the host's own types and every loaded plugin's
``crm_register_objects(registry)``. A type is named ``<slug>.<object>``
(``service.ticket``; the host's own types have bare names: ``customer``) and says
which plugin owns it, its model, the permissions that read and change it, and its
record rule. Attachments, timeline writes and notifications ask
:mod:`crm_host.core.objects.access` — never their own check — whether a user may see or
change an object ``(type, id)``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import User
from crm_host.plugins._registering import PluginRegistry
from crm_host.plugins.manifest import PluginError

#: ``rule(session, user, permission, ids)`` → the ids among ``ids`` the record rule
#: lets ``user`` at under ``permission`` (``user`` is never ``None``: the system passes).
RecordRule = Callable[[Session, User, str, list[Any]], Collection[Any]]
#: ``condition(session, user, permission)`` → a WHERE clause over the type's model.
Condition = Callable[[Session, User, str], sa.ColumnElement[bool]]
#: ``match(session, user, q, dialect)`` → the WHERE clause of the objects ``q`` finds
#: (``user`` is ``None`` for the system).
Matcher = Callable[[Session, "User | None", str, str], sa.ColumnElement[bool]]
#: A link to one object: a template with ``{id}`` or ``builder(id)`` → a path.
Link = str | Callable[[Any], str]

_OBJECT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ObjectType:
    """A registered object type."""

    name: str
    #: The owning plugin; ``None`` for the host's own types (seen by every department).
    plugin: str | None
    model: type
    read: str
    write: str
    #: ``None``: holding the permission is enough (no owner or departments to look at).
    rule: RecordRule | None = None
    label: str = ""
    #: Optional: ``customers(session, ids)`` → ``{id: [customer ids]}`` of the objects.
    customers: Callable[[Session, list[Any]], dict[Any, list[int]]] | None = None
    #: An SQL expression naming one object (a subject, a name, a number); its id without.
    title: Any = None
    console_url: Link | None = None
    api_url: Link | None = None
    #: The text columns global search looks in (each gets a trigram index on PostgreSQL).
    searchable: tuple[Any, ...] = ()
    #: Replaces the plain contains-test over ``searchable`` (customers: codes, grams…).
    match: Matcher | None = None
    #: The record rule as a WHERE clause (from :func:`where_rule`): search filters with it
    #: before it counts, so no count includes a row the user may not read.
    condition: Condition | None = None

    @property
    def is_searchable(self) -> bool:
        """Whether global search looks in this type."""
        return bool(self.searchable) or self.match is not None

    def link(self, which: str, values: Mapping[str, Any]) -> str | None:
        """The ``console`` or ``api`` path of one object; ``None`` when the type has none.

        A template names the object's columns (``"/customers/{customer_id}"``); ``values``
        holds them (``id`` at least); a builder function receives the id.
        """
        builder = self.console_url if which == "console" else self.api_url
        if builder is None:
            return None
        return builder.format(**values) if isinstance(builder, str) else builder(values["id"])

    def link_columns(self) -> dict[str, Any]:
        """The model's columns the link templates name, by name (``id`` always)."""
        names = {"id"}
        for builder in (self.console_url, self.api_url):
            if isinstance(builder, str):
                names.update(f for _, f, _, _ in string.Formatter().parse(builder) if f)
        columns = {name: getattr(self.model, name) for name in names - {"id"}}
        return {"id": self.id_column, **columns}

    def title_expression(self) -> Any:
        """The SQL expression of an object's label (its id as text when none is declared)."""
        if self.title is not None:
            return self.title
        return sa.cast(self.id_column, sa.String)

    def matches(self, session: Session, user: User | None, q: str, dialect: str) -> Any:
        """The WHERE clause of the objects of this type that ``q`` finds.

        The plain test: any searchable column contains ``q``, case-insensitively
        (``ILIKE`` on PostgreSQL, which the trigram indexes answer).
        """
        if self.match is not None:
            return self.match(session, user, q, dialect)
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return sa.or_(*(c.ilike(f"%{escaped}%", escape="\\") for c in self.searchable))

    @property
    def id_column(self) -> sa.ColumnElement[Any]:
        """The model's primary-key column (objects are addressed by one key)."""
        return sa.inspect(self.model).primary_key[0]

    def key(self, raw: Any) -> Any | None:
        """``raw`` (a path or form value) as the model's key; ``None`` when it cannot be one."""
        column = self.id_column
        try:
            python_type = column.type.python_type
        except NotImplementedError:  # pragma: no cover - every built-in key says its type
            return raw
        if python_type is int:
            text = str(raw).strip()
            if not text.isdigit() or len(text) > 18:
                return None
            return int(text)
        return str(raw)


def where_rule(model: type, condition: Condition) -> RecordRule:
    """A record rule from a WHERE clause over ``model`` — typically built with
    :func:`crm_host.security.permissions.record_filter` from the model's owner and departments,
    the same clause the plugin's own lists use."""

    def rule(session: Session, user: User, permission: str, ids: list[Any]) -> set[Any]:
        id_column = sa.inspect(model).primary_key[0]
        return set(
            session.scalars(
                sa.select(id_column).where(id_column.in_(ids), condition(session, user, permission))
            )
        )

    rule.condition = condition  # type: ignore[attr-defined] - search filters by it in SQL
    return rule


class ObjectRegistry(PluginRegistry):
    """What ``crm_register_objects(registry)`` receives."""

    def __init__(self, permissions: Any = None) -> None:
        super().__init__()
        self.types: dict[str, ObjectType] = {}
        self._permissions = permissions

    def add(
        self,
        name: str,
        model: type,
        *,
        read: str,
        write: str,
        rule: RecordRule | None = None,
        label: str = "",
        customers: Callable[[Session, list[Any]], dict[Any, list[int]]] | None = None,
        title: Any = None,
        console_url: Link | None = None,
        api_url: Link | None = None,
        searchable: Iterable[Any] = (),
        match: Matcher | None = None,
    ) -> ObjectType:
        """Register ``model`` as the type ``<slug>.<name>`` (``name`` may carry the slug).

        ``read``/``write`` must be declared permissions; ``rule`` is the record rule
        (:func:`where_rule` builds one), ``None`` when the permission alone decides.
        ``title`` (a column) labels one object, ``console_url``/``api_url`` link to it
        (``"/service/tickets/{id}"`` or a function of the id), ``customers`` finds its
        customers, and ``searchable`` columns (or a ``match`` function) put the type in
        global search. A bad or duplicate type stops start-up naming the plugin.
        """
        if self._slug and isinstance(name, str) and name.startswith(self._slug + "."):
            name = name[len(self._slug) + 1 :]
        if not isinstance(name, str) or not _OBJECT.match(name):
            raise PluginError(f"{self.who}: object type {name!r} must be lower-case letters, _")
        full = self.qualified(name, "object type", self.types)
        try:
            sa.inspect(model).primary_key[0]
        except Exception as exc:
            raise PluginError(f"{self.who}: object type {full}: {model!r} is no model") from exc
        for permission in (read, write):
            if self._permissions is not None and permission not in self._permissions.permissions:
                raise PluginError(
                    f"{self.who}: object type {full}: permission {permission!r} is not declared"
                )
        if rule is not None and not callable(rule):
            raise PluginError(f"{self.who}: object type {full}: the record rule is not callable")
        searchable = tuple(searchable)
        for template in (console_url, api_url):
            if isinstance(template, str):
                fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
                unknown = sorted(f for f in fields - {"id"} if not hasattr(model, f))
                if unknown:
                    raise PluginError(
                        f"{self.who}: object type {full}: {template!r} names {unknown}"
                    )
        self._check_search(full, model, rule, searchable, title, match is not None)
        spec = ObjectType(
            full,
            self._plugin,
            model,
            read,
            write,
            rule,
            label or full,
            customers,
            title=title,
            console_url=console_url,
            api_url=api_url,
            searchable=searchable,
            match=match,
            condition=getattr(rule, "condition", None),
        )
        self.types[full] = spec
        return spec

    def _check_search(
        self,
        full: str,
        model: type,
        rule: Any,
        searchable: tuple[Any, ...],
        title: Any,
        matched: bool,
    ) -> None:
        """Searchable columns and the title must be the model's own; a searchable type
        with a record rule needs it as SQL, or search could only count, then hide."""
        for column in (*searchable, *([title] if title is not None else [])):
            if getattr(column, "class_", None) is not model:
                owner = getattr(getattr(column, "class_", None), "__name__", "")
                named = f"{owner}.{getattr(column, 'key', '')}" if owner else repr(column)
                raise PluginError(f"{self.who}: object type {full}: {named} is no column of it")
        if (
            (searchable or matched)
            and rule is not None
            and getattr(rule, "condition", None) is None
        ):
            raise PluginError(
                f"{self.who}: object type {full}: a searchable type's record rule must be "
                "built with where_rule (search filters by it before counting)"
            )

    def get(self, name: str) -> ObjectType | None:
        """The type named ``name``, or ``None``."""
        return self.types.get(name)

    def __iter__(self) -> Iterable[ObjectType]:  # type: ignore[override]
        return iter(self.types.values())


def collect_objects(
    plugins: Any, permissions: Any, host_types: Callable[[ObjectRegistry], None]
) -> ObjectRegistry:
    """The host's object types (``host_types(registry)`` adds them), then every loaded
    plugin's, checked at start-up."""
    registry = ObjectRegistry(permissions)
    host_types(registry)
    for name, function, argnames in plugins.implementations("crm_register_objects"):
        registry._plugin, registry._slug = name, plugins.manifest(name).slug
        try:
            function(**{a: {"registry": registry}[a] for a in argnames})
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {name} failed to register its object types: {exc}") from exc
        finally:
            registry._plugin, registry._slug = None, ""
    return registry
