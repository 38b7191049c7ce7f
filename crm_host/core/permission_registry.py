"""What a permission is, and the registry of every permission the host and plugins declare.

In the core, below the security layer that checks permissions, because the core's
permission scopes (:mod:`crm_host.core.scopes`) resolve role patterns against it.
:mod:`crm_host.security.permissions` re-exports both names.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    """A permission a plugin (or the host) declares."""

    name: str
    label: str
    #: Whether record rules apply (the object has an owner and departments).
    record_rules: bool = False


class PermissionRegistry:
    """Every permission declared by the host and the loaded plugins."""

    def __init__(self) -> None:
        self.permissions: dict[str, Permission] = {}
        self.owners: dict[str, str] = {}
        #: Pattern → matching names; every request resolves its user's role patterns.
        self._matches: dict[str, list[str]] = {}

    def add(self, owner: str, prefix: str, permissions: Iterable[Permission]) -> None:
        """Declare ``permissions`` for ``owner``; names must start with ``prefix.``.

        A duplicate or misnamed permission fails start-up naming the owner.
        """
        from crm_host.plugins.facade import PluginError

        for permission in permissions:
            if not isinstance(permission, Permission):
                raise PluginError(
                    f"{owner}: {permission!r} is not a crm_host.security.permissions.Permission"
                )
            if not permission.name.startswith(prefix + ".") or permission.name.count(".") != 2:
                raise PluginError(
                    f"{owner}: permission {permission.name!r} must be named {prefix}.<object>.<action>"
                )
            if permission.name in self.permissions:
                raise PluginError(
                    f"{owner}: permission {permission.name} is declared by "
                    f"{self.owners[permission.name]} already"
                )
            self.permissions[permission.name] = permission
            self.owners[permission.name] = owner
        self._matches.clear()

    def matching(self, pattern: str) -> list[str]:
        """Declared permission names matching a pattern (``*.read``, ``sales.*``)."""
        if pattern not in self._matches:
            self._matches[pattern] = [
                name for name in self.permissions if fnmatch.fnmatchcase(name, pattern)
            ]
        return list(self._matches[pattern])
