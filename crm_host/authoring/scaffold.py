"""``crm plugins new``: write a new plugin distribution from the skeleton.

The skeleton is a tree of real files under ``crm_host/authoring/skeleton/``, each
rendered with :class:`string.Template` (``${slug}`` and friends). Path parts named
``__package__``, ``__slug__`` and ``__revision__`` are renamed, and the ``.tmpl``
suffix is dropped — it keeps the skeleton's half-filled Python out of the host's
linters and test collection.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from alembic.script import ScriptDirectory
from packaging.version import Version

from crm_host import __version__
from crm_host.core import migrate
from crm_host.plugins.manifest import NAME_RE, RESERVED_SLUGS, SLUG_RE

SKELETON = Path(__file__).parent / "skeleton"
SUFFIX = ".tmpl"
# Labels go into Python strings, Jinja calls and .po entries: keep them plain text.
_LABEL_RE = re.compile(r"^[^\"'\\${}%\n]{1,80}$")


class ScaffoldError(Exception):
    """The plugin cannot be generated; the message says why."""


@dataclass(frozen=True)
class PluginNames:
    """Every name a new plugin is known by, derived from the one the author chose."""

    name: str
    slug: str
    label: str
    label_zh: str

    @property
    def package(self) -> str:
        """The import name: ``crm_<name>``."""
        return f"crm_{self.name}"

    @property
    def dist(self) -> str:
        """The distribution name on an index: ``crm-<name>``."""
        return f"crm-{self.name.replace('_', '-')}"

    @property
    def revision(self) -> str:
        """The id of the plugin's first Alembic revision."""
        return f"{self.slug}0001"


def plugin_names(
    name: str, *, slug: str | None = None, label: str | None = None, label_zh: str | None = None
) -> PluginNames:
    """Check the names of a new plugin and fill in the ones not given.

    The slug defaults to the name without underscores; the label to the name in
    words; the Chinese label to the label followed by 插件 (plugin), to be replaced.
    """
    if not NAME_RE.match(name):
        raise ScaffoldError(
            f"plugin name {name!r} must start with a letter and use lower-case letters, "
            "digits and _ (2–63 characters)"
        )
    slug = slug or name.replace("_", "")[:31]
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"slug {slug!r} must be 2–31 lower-case letters or digits")
    if slug in RESERVED_SLUGS:
        raise ScaffoldError(f"slug {slug!r} is reserved by the host; choose another with --slug")
    label = label or name.replace("_", " ").capitalize()
    label_zh = label_zh or f"{label}插件"
    for value in (label, label_zh):
        if not _LABEL_RE.match(value):
            raise ScaffoldError(f"label {value!r} must be plain text without quotes, $, {{}} or %")
    return PluginNames(name, slug, label, label_zh)


def host_head() -> str:
    """The head revision of the host's migration branch: a new plugin's branch needs it."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    head = script.get_revision(f"{migrate.HOST_BRANCH}@head")
    assert head is not None, "the host has no migrations"
    return head.revision


def host_range() -> str:
    """The host versions a new plugin supports: this one up to the next major version."""
    version = Version(__version__)
    return f">={version.major}.{version.minor},<{version.major + 1}"


def render_values(names: PluginNames) -> dict[str, str]:
    """The values the skeleton's ``${…}`` placeholders are replaced with."""
    return {
        "name": names.name,
        "slug": names.slug,
        "label": names.label,
        "label_zh": names.label_zh,
        "package": names.package,
        "dist": names.dist,
        "revision": names.revision,
        "host_head": host_head(),
        "host_range": host_range(),
        # The host prefixes a plugin's OpenAPI schema names with its capitalised slug.
        "Prefix": names.slug.capitalize(),
        "date": date.today().isoformat(),
    }


def _target_path(relative: Path, values: dict[str, str]) -> Path:
    parts = [
        part.replace("__package__", values["package"])
        .replace("__slug__", values["slug"])
        .replace("__revision__", values["revision"])
        for part in relative.parts
    ]
    target = Path(*parts)
    return target.with_name(target.name.removesuffix(SUFFIX))


def generate(names: PluginNames, dest: Path) -> Path:
    """Write the distribution of a new plugin into ``dest/<dist>``; returns that folder.

    Refuses to write into a folder that exists already, so nothing is overwritten.
    """
    root = dest / names.dist
    if not any(SKELETON.rglob(f"*{SUFFIX}")):
        # A wheel built without the skeleton's files as package data.
        raise ScaffoldError(f"the plugin skeleton is missing from {SKELETON}; reinstall crm-host")
    if root.exists():
        raise ScaffoldError(f"{root} exists already; choose another --dest or remove it")
    values = render_values(names)
    for source in sorted(SKELETON.rglob(f"*{SUFFIX}")):
        target = root / _target_path(source.relative_to(SKELETON), values)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = string.Template(source.read_text(encoding="utf-8")).substitute(values)
        target.write_text(text, encoding="utf-8")
    return root
