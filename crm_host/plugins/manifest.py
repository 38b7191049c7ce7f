"""A plugin's manifest: what the host needs to know before importing anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

SLUG_RE = re.compile(r"^[a-z][a-z0-9]{1,30}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
# Slugs that would shadow host URLs, CLI commands or tables.
RESERVED_SLUGS = frozenset(
    {
        "api",
        "admin",
        "static",
        "login",
        "logout",
        "host",
        "db",
        "plugins",
        "customers",
        "departments",
        "users",
        "jobs",
        "audit",
        "settings",
        "auth",
    }
)


class PluginError(Exception):
    """A plugin cannot be loaded, installed or removed; the message names who and why."""


@dataclass(frozen=True)
class Manifest:
    """What a plugin declares about itself; importable without side effects.

    ``requires`` are plugins it cannot work without; ``uses`` are plugins it works
    with when they are present (their hooks are implemented with
    ``optionalhook=True``). ``host`` is a version specifier of the host versions
    it supports, e.g. ``">=0.1,<1"``.
    """

    name: str
    slug: str
    label: str
    version: str
    host: str = ">=0.1"
    requires: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    label_zh: str = ""
    description: str = ""
    #: Dotted path of the module holding the hook implementations.
    hooks: str = ""
    #: Dotted path of the module defining the plugin's models (imported when installed).
    models: str = ""
    #: Directory of the plugin's Alembic versions; empty for a plugin without tables.
    migrations: Path | None = None
    #: Dotted path of the package, filled in by discovery.
    package: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise PluginError(f"plugin name {self.name!r} must be lower-case letters, digits, _")
        if not SLUG_RE.match(self.slug):
            raise PluginError(
                f"plugin {self.name}: slug {self.slug!r} must be 2–31 lower-case letters or digits"
            )
        if self.slug in RESERVED_SLUGS:
            raise PluginError(f"plugin {self.name}: slug {self.slug!r} is reserved by the host")
        try:
            Version(self.version)
        except InvalidVersion as exc:
            raise PluginError(f"plugin {self.name}: version {self.version!r} is invalid") from exc
        try:
            SpecifierSet(self.host)
        except InvalidSpecifier as exc:
            raise PluginError(
                f"plugin {self.name}: host version range {self.host!r} is invalid"
            ) from exc

    @property
    def branch(self) -> str:
        """The label of the plugin's Alembic branch."""
        return self.slug

    def supports_host(self, host_version: str) -> bool:
        """Tell whether the plugin declares support for this host version."""
        return SpecifierSet(self.host).contains(host_version, prereleases=True)
