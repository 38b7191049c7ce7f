"""The object registry: every object type a shared service may address, and its owner.

Filled at start-up from the host's own types and every loaded plugin's
``crm_register_objects(registry)``. A type is named ``<slug>.<object>``
(``service.ticket``; the host's own types have bare names: ``customer``) and says
which plugin owns it, its model, the permissions that read and change it, and its
record rule. Attachments, timeline writes and notifications ask
:mod:`crm_host.objects.access` — never their own check — whether a user may see or
change an object ``(type, id)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.models import User
from crm_host.plugins.manifest import PluginError
from crm_host.plugins.registering import PluginRegistry

#: ``rule(session, user, permission, ids)`` → the ids among ``ids`` the record rule
#: lets ``user`` at under ``permission`` (``user`` is never ``None``: the system passes).
RecordRule = Callable[[Session, User, str, list[Any]], Collection[Any]]
#: ``condition(session, user, permission)`` → a WHERE clause over the type's model.
Condition = Callable[[Session, User, str], sa.ColumnElement[bool]]

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
    :func:`crm_host.permissions.record_filter` from the model's owner and departments,
    the same clause the plugin's own lists use."""

    def rule(session: Session, user: User, permission: str, ids: list[Any]) -> set[Any]:
        id_column = sa.inspect(model).primary_key[0]
        return set(
            session.scalars(
                sa.select(id_column).where(id_column.in_(ids), condition(session, user, permission))
            )
        )

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
    ) -> ObjectType:
        """Register ``model`` as the type ``<slug>.<name>`` (``name`` may carry the slug).

        ``read``/``write`` must be declared permissions; ``rule`` is the record rule
        (:func:`where_rule` builds one), ``None`` when the permission alone decides.
        A bad or duplicate type stops start-up naming the plugin.
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
        spec = ObjectType(full, self._plugin, model, read, write, rule, label or full, customers)
        self.types[full] = spec
        return spec

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
