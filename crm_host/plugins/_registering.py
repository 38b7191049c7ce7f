"""What the ``crm_register_*(registry)`` hooks share: knowing which plugin registers.

The host runs each plugin's implementation with the registry told the plugin's name
and slug, so names are qualified (``<slug>.<name>``) and every refusal names the
plugin that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from crm_host.plugins.manifest import PluginError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginRegistry:
    """Base of a registry handed to plugins; ``_plugin`` is ``None`` for the host's own."""

    def __init__(self) -> None:
        self._plugin: str | None = None
        self._slug = ""

    @property
    def who(self) -> str:
        """Who is registering, for error messages."""
        return f"plugin {self._plugin}" if self._plugin else "the host"

    def qualified(self, name: str, kind: str, taken: Container[str]) -> str:
        """``<slug>.<name>`` (the host's own: just ``name``), refusing a bad or taken name."""
        if not _NAME.match(name):
            raise PluginError(
                f"{self.who}: {kind} name {name!r} must be lower-case letters, digits, _"
            )
        full = f"{self._slug}.{name}" if self._slug else name
        if full in taken:
            article = "an" if kind[0] in "aeiou" else "a"
            raise PluginError(f"{self.who}: {article} {kind} named {full} is registered already")
        return full


def register_from_plugins(plugins: Any, hook: str, registry: PluginRegistry) -> None:
    """Run every loaded plugin's ``hook(registry)`` with the registry told who it is."""
    for name, function, argnames in plugins.implementations(hook):
        registry._plugin, registry._slug = name, plugins.manifest(name).slug
        try:
            function(**{a: {"registry": registry}[a] for a in argnames})
        finally:
            registry._plugin, registry._slug = None, ""
