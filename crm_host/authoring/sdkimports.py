"""Which of a plugin's imports reach the host outside :mod:`crm_host.sdk`, and what to
import instead.

The SDK re-exports the host's public objects, so the replacement for ``from
crm_host.X import Y`` is found by identity: the SDK name bound to the very object
``crm_host.X.Y`` is. ``crm plugins check`` prints each import as a warning — such a
plugin works today, but nothing outside the SDK is promised to stay.
"""

from __future__ import annotations

import ast
import importlib
import warnings
from functools import cache
from pathlib import Path

#: The SDK's modules, the core first: a name exported twice is offered at the first.
SDK_MODULES = (
    "crm_host.sdk",
    "crm_host.sdk.customers",
    "crm_host.sdk.web",
    "crm_host.sdk.validation",
    "crm_host.sdk.migrations",
    "crm_host.sdk.bench",
)
#: Host modules a plugin may import besides the SDK (its tests' fixtures and helpers).
ALLOWED = ("crm_host.sdk", "crm_host.testing")


@cache
def _sdk_names() -> dict[int, tuple[str, str]]:
    """``id(object)`` → ``(sdk module, name)`` for every name in the SDK's ``__all__``."""
    found: dict[int, tuple[str, str]] = {}
    for module_name in reversed(SDK_MODULES):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found[id(getattr(module, name))] = (module_name, name)
    return found


def sdk_address(found: object) -> str | None:
    """The SDK address (``crm_host.sdk.customers.merge_customers``) of an object, or None."""
    address = _sdk_names().get(id(found))
    return None if address is None else f"{address[0]}.{address[1]}"


def _host_object(module: str, name: str) -> object | None:
    """``crm_host.<module>.<name>`` (an attribute or a submodule), or None if absent.

    An old path's shim would warn: the check names the replacement itself.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _lookup(module, name)


def _lookup(module: str, name: str) -> object | None:
    try:
        parent = importlib.import_module(module)
        if hasattr(parent, name):
            return getattr(parent, name)
        return importlib.import_module(f"{module}.{name}")
    except ImportError:
        return None


def replacement(module: str, name: str, migration: bool = False) -> str | None:
    """The SDK import to write instead of ``from <module> import <name>``, or None.

    In a migration, names that :mod:`crm_host.sdk.migrations` also exports are offered
    there, so that a migration needs one import line.
    """
    found = _host_object(module, name)
    if found is None:
        return None
    if migration:
        migrations = importlib.import_module("crm_host.sdk.migrations")
        for exported in migrations.__all__:
            if getattr(migrations, exported) is found:
                return f"from crm_host.sdk.migrations import {exported}"
    address = _sdk_names().get(id(found))
    if address is None:
        return None
    sdk_module, sdk_name = address
    renamed = f" as {name}" if sdk_name != name else ""
    return f"from {sdk_module} import {sdk_name}{renamed}"


def _outside(module: str) -> bool:
    inside = module == "crm_host" or module.startswith("crm_host.")
    return inside and not any(module == m or module.startswith(m + ".") for m in ALLOWED)


def file_warnings(path: Path, shown_as: str) -> list[str]:
    """One line per host name ``path`` imports outside the SDK, with its replacement."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    migration = "migrations" in path.parts
    lines: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _outside(alias.name):
                    lines.append(
                        (
                            node.lineno,
                            f"{shown_as}:{node.lineno} imports {alias.name} outside the SDK: "
                            "import what it uses from crm_host.sdk",
                        )
                    )
        elif isinstance(node, ast.ImportFrom) and not node.level and _outside(node.module or ""):
            for alias in node.names:
                instead = replacement(str(node.module), alias.name, migration)
                advice = f"use {instead}" if instead else "it is not in the SDK; do without it"
                lines.append(
                    (
                        node.lineno,
                        f"{shown_as}:{node.lineno} imports {node.module}.{alias.name} "
                        f"outside the SDK: {advice}",
                    )
                )
    # ast.walk goes breadth first; the author reads the file top to bottom.
    return [line for _, line in sorted(lines, key=lambda pair: pair[0])]


def sdk_import_warnings(package_dir: Path) -> list[str]:
    """Every import of the host outside the SDK in a plugin package, file by file."""
    warnings = []
    for path in sorted(package_dir.rglob("*.py")):
        shown_as = path.relative_to(package_dir.parent).as_posix()
        warnings += file_warnings(path, shown_as)
    return warnings
