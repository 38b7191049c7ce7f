"""SQL in a plugin's code that names another plugin's tables, read from its source.

A plugin reaches another plugin's data only through what that plugin publishes: its
hooks and the object types it registers. SQL naming the other plugin's tables —
``sa.table("sales_orders")``, ``Table("service_tickets", …)``,
``text("… FROM sales_opportunities …")``, a table name as a string in a select, a join
or a metadata lookup — ties the plugin to a schema its owner changes in any migration,
and works only as long as nobody notices. Ownership is by prefix: every plugin's tables
start with its slug and an underscore (the contract), so ``sales_orders`` is plugin
sales's wherever the name appears.

The source is read, not run: a name built at run time escapes this check.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

from crm_host.core.objects.registry import ObjectRegistry
from crm_host.plugins.manager import PROJECT, Discovery
from crm_host.plugins.manifest import Manifest

#: Calls whose first argument is a table's name.
TABLE_CALLS = frozenset({"table", "Table"})
#: Calls whose string arguments are SQL: the table names follow these keywords.
SQL_CALLS = frozenset({"text", "execute", "exec_driver_sql"})
#: Calls whose string arguments may be a table name or ``table.column``.
NAME_CALLS = frozenset({"select", "select_from", "join", "outerjoin", "exists"})
#: Calls whose string argument names a column: only ``table.column`` names a table.
COLUMN_CALLS = frozenset({"literal_column", "column"})
#: ``table`` or ``table.column``, as a select or a join may name them.
DOTTED = re.compile(r"([A-Za-z_]\w*)(\.\w+)?")
SQL_TABLE = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+[\"`]?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE
)


@dataclass(frozen=True)
class TableReference:
    """A table named in a file of the plugin, and where."""

    path: Path
    line: int
    table: str


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's literal parts (a table name is seldom
    interpolated); ``None`` for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(_text(part) or " " for part in node.values)
    return None


def _names_in_call(node: ast.Call) -> Iterator[str]:
    called = _called(node)
    arguments = [*node.args, *(k.value for k in node.keywords)]
    if called in TABLE_CALLS and node.args:
        text = _text(node.args[0])
        if text:
            yield text
    elif called in SQL_CALLS and not _is_text_rule(node):
        for argument in arguments:
            text = _text(argument) or ""
            bare = DOTTED.fullmatch(text.strip())  # text("sales_orders") in a select_from
            yield from [bare.group(1)] if bare else SQL_TABLE.findall(text)
    elif called == "join" and _is_path_or_string(node.func):
        return  # os.path.join("sales_export", …), ", ".join(…): not SQL
    elif called in NAME_CALLS or called in COLUMN_CALLS:
        for argument in arguments:
            match = DOTTED.fullmatch(_text(argument) or "")
            if match and (match.group(2) or called in NAME_CALLS):
                yield match.group(1)
    elif called == "get" and _is_tables(node.func) and node.args:
        text = _text(node.args[0])  # metadata.tables.get("sales_orders")
        if text:
            yield text


def _is_text_rule(node: ast.Call) -> bool:
    """``validation.text(value, "service_point", errors, max_length=200)``: the SDK's
    text rule (its ``max_length`` is required), whose strings are field names, not SQL."""
    return _called(node) == "text" and any(k.arg == "max_length" for k in node.keywords)


def _is_path_or_string(func: ast.expr) -> bool:
    owner = getattr(func, "value", None)
    return isinstance(owner, ast.Constant) or (
        isinstance(owner, (ast.Attribute, ast.Name))
        and getattr(owner, "attr", getattr(owner, "id", "")) in {"path", "os", "posixpath"}
    )


def _is_tables(func: ast.expr) -> bool:
    owner = getattr(func, "value", None)
    return isinstance(owner, ast.Attribute) and owner.attr == "tables"


def table_references(path: Path) -> Iterator[TableReference]:
    """The table names a Python file writes into SQL, with their line numbers."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for name in _names_in_call(node):
                yield TableReference(path, node.lineno, name)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "tables"
        ):
            text = _text(node.slice)  # metadata.tables["sales_orders"]
            if text:
                yield TableReference(path, node.lineno, text)


def owner_of(table: str, slugs: dict[str, str]) -> str | None:
    """The plugin whose slug prefixes ``table`` (``slugs``: slug → plugin name)."""
    slug, underscore, rest = table.partition("_")
    return slugs.get(slug) if underscore and rest else None


def _package_files(manifest: Manifest) -> tuple[Path, list[Path]]:
    spec = importlib.util.find_spec(manifest.package) if manifest.package else None
    if spec is None or spec.origin is None:
        return Path("."), []
    origin = Path(spec.origin)
    if spec.submodule_search_locations:
        return origin.parent.parent, sorted(origin.parent.rglob("*.py"))
    return origin.parent, [origin]


def foreign_table_findings(manifest: Manifest, discovery: Discovery) -> list[str]:
    """One sentence per place the plugin's code names a table of another plugin."""
    slugs = {m.slug: name for name, m in discovery.manifests.items() if name != manifest.name}
    slugs.pop(manifest.slug, None)
    root, files = _package_files(manifest)
    findings, advice = [], {}
    for path in files:
        for reference in table_references(path):
            owner = owner_of(reference.table, slugs)
            if owner is None:
                continue
            if owner not in advice:
                advice[owner] = published(discovery.manifests[owner])
            where = f"{path.relative_to(root).as_posix()}:{reference.line}"
            findings.append(
                f"plugin {manifest.name} names table {reference.table} of plugin {owner} "
                f"({where}): {_instead(owner, reference.table, advice[owner])}"
            )
    return findings


def _instead(owner: str, table: str, offered: tuple[dict[str, str], list[str]]) -> str:
    objects, hooks = offered
    ways = []
    if table in objects:
        ways.append(f"its registered object type {objects[table]} (crm_host.sdk.ObjectRegistry)")
    elif objects:
        ways.append(f"its registered object types ({', '.join(sorted(set(objects.values())))})")
    if hooks:
        ways.append(f"the hooks it publishes ({', '.join(hooks)})")
    if not ways:
        return f"plugin {owner} publishes nothing to read it through: ask for a hook or object"
    return f"use {' or '.join(ways)} instead of its tables"


def published(manifest: Manifest) -> tuple[dict[str, str], list[str]]:
    """What a plugin offers others: its object types by table, and its hooks' names."""
    try:
        module = importlib.import_module(manifest.hooks) if manifest.hooks else None
    except Exception:  # its own check reports it; here there is just less to suggest
        return {}, []
    return _object_types(manifest, module), _hookspecs(module)


def _object_types(manifest: Manifest, module: Any) -> dict[str, str]:
    """Table → the object type the plugin registers on it (without starting a host)."""
    register = getattr(module, "crm_register_objects", None)
    if register is None:
        return {}
    registry = ObjectRegistry()  # no permissions given: none is looked up
    registry._plugin, registry._slug = manifest.name, manifest.slug
    with contextlib.suppress(Exception):  # a partial list still says what to use
        register(registry=registry)
    objects: dict[str, str] = {}
    for kind in registry:
        table = getattr(kind.model, "__table__", None)
        if table is not None:
            objects.setdefault(table.name, kind.name)
    return objects


def _hookspecs(module: Any) -> list[str]:
    """The hooks the plugin publishes through ``crm_addhooks``."""
    addhooks = getattr(module, "crm_addhooks", None)
    if addhooks is None:
        return []
    pm = pluggy.PluginManager(PROJECT)
    with contextlib.suppress(Exception):
        addhooks(pm=pm)
    return sorted(name for name, caller in vars(pm.hook).items() if getattr(caller, "spec", None))
