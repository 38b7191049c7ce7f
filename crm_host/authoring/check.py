"""``crm plugins check NAME``: the plugin contract, checked, with findings in plain sentences.

A plugin is checked as the host would meet it — discovered through its entry point —
or, while it is being written and not yet registered, by the import name of its
package (``crm plugins check crm_loyalty``). The checks:

* the manifest: the host versions it supports include this host;
* ``requires`` and ``uses`` name plugins that are present;
* every hook implementation matches a hookspec with argument names it passes; hooks
  of ``uses`` plugins are ``optionalhook``; no ``specname=`` on department-scoped hooks;
* tables start with the slug; migrations go down and up again on a scratch SQLite
  database with a row in each table;
* every route is mounted by the host behind the department gate; every permission its
  views check is declared;
* a plugin whose tables refer to customers implements the export and merge hooks;
* its code names no other plugin's tables in SQL (:mod:`crm_host.authoring.tables`);
* its transaction sources select the six columns of the contract with their types;
* a package has the plugin shape (:mod:`crm_host.authoring.shape`): the manifest alone
  in ``__init__``, each layer a package split by feature, module-level click commands.

Warnings do not fail the check: every import of the host outside ``crm_host.sdk`` is
listed with the SDK import that replaces it (:mod:`crm_host.authoring.sdkimports`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from crm_host import __version__
from crm_host.authoring.hookcheck import check_hooks, implemented_hooks
from crm_host.authoring.scratch import run_database_checks
from crm_host.authoring.sdkimports import file_warnings, sdk_import_warnings
from crm_host.authoring.shape import shape_problems
from crm_host.authoring.tables import foreign_table_findings
from crm_host.plugins.facade import Manifest, PluginError, discover, order_plugins
from crm_host.plugins.manager import ENTRY_POINT_GROUP, Discovery

#: Calls whose string argument names a permission, and that argument's position.
PERMISSION_CALLS = {"require": 0, "authorize": 2, "can": 2}
#: Hooks a plugin holding rows about customers must implement, and why.
CUSTOMER_DATA_HOOKS = {
    "crm_customer_export": "a subject-access export would miss what it holds",
    "crm_customers_merging": "merging customers is refused while its rows point at the merged one",
}


class CheckError(Exception):
    """The plugin could not be found or imported at all."""


@dataclass
class Report:
    """The outcome of a check: findings (each one sentence) and notes on what was skipped."""

    plugin: str
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the plugin passed every check."""
        return not self.findings


def check_plugin(name: str) -> list[str]:
    """Check a plugin against the contract; returns the findings as plain sentences.

    ``name`` is a plugin name (its entry point) or the import name of a plugin module
    that is not registered yet. Raises :class:`CheckError` when it is neither.
    """
    return run_checks(name).findings


def run_checks(name: str, *, database: bool = True) -> Report:
    """Check a plugin; ``database=False`` skips the checks that need a scratch database."""
    with resolved(name) as (manifest, discovery):
        report = Report(manifest.name)
        report.findings += manifest_findings(manifest, discovery)
        hook_findings = check_hooks(manifest, discovery)
        report.findings += hook_findings
        report.findings += foreign_table_findings(manifest, discovery)
        report.findings += shape_findings(manifest)
        report.warnings += import_warnings(manifest)
        if not database:
            return report
        result = run_database_checks(manifest, discovery, app=True)
        for finding in result.findings:
            # A hook finding is why the host cannot start: said once is enough.
            if hook_findings and finding.startswith("the host cannot start"):
                report.notes.append(
                    "the host cannot start with it, so its routes were not checked: "
                    "fix the hook findings and check again"
                )
            else:
                report.findings.append(finding)
        report.notes += result.notes
        declared = result.declared_permissions or declared_permissions(manifest, discovery)
        report.findings += permission_findings(manifest, declared, result.route_permissions)
        report.findings += customer_data_findings(manifest, result.customer_tables)
        return report


@contextmanager
def resolved(name: str) -> Iterator[tuple[Manifest, Discovery]]:
    """The manifest of the plugin called ``name`` and the discovery it was found in."""
    discovery = discover()
    if name in discovery.manifests:
        yield discovery.manifests[name], discovery
        return
    if name in discovery.problems:
        raise CheckError(discovery.problems[name])
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name.split(".")[0] and error.name != name:
            raise CheckError(f"module {name} cannot be imported: {error}") from error
        known = ", ".join(sorted(discovery.manifests)) or "none"
        raise CheckError(
            f"no plugin named {name} is present (present: {known}), and no module {name} "
            "can be imported"
        ) from None
    except Exception as error:  # a plugin being written may not import yet
        raise CheckError(f"module {name} cannot be imported: {error}") from error
    manifest = getattr(module, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise CheckError(f"module {name} has no `manifest` (a crm_host.plugins.facade.Manifest)")
    if manifest.name in discovery.manifests:  # the package of a registered plugin
        yield discovery.manifests[manifest.name], discovery
        return
    with _registered(manifest.name, name):
        discovery = discover()
        if manifest.name not in discovery.manifests:
            raise CheckError(discovery.problems.get(manifest.name, f"{name} was not discovered"))
        yield discovery.manifests[manifest.name], discovery


@contextmanager
def _registered(plugin: str, module: str) -> Iterator[None]:
    """Make a module discoverable as if a distribution named it in the entry-point group.

    A ``.dist-info`` folder with only an ``entry_points.txt`` is all importlib.metadata
    needs; it lives in a temporary folder put on ``sys.path`` for the duration.
    """
    with tempfile.TemporaryDirectory(prefix="crm-check-entry-") as folder:
        info = Path(folder) / f"crm_check_{plugin}-0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: crm-check-{plugin}\nVersion: 0\n"
        )
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{plugin} = {module}\n")
        sys.path.insert(0, folder)
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(folder)
            importlib.invalidate_caches()


def manifest_findings(manifest: Manifest, discovery: Discovery) -> list[str]:
    """The host-version range, and whether ``requires`` and ``uses`` are present and sound."""
    name = manifest.name
    findings = []
    if not manifest.supports_host(__version__):
        findings.append(
            f"plugin {name} {manifest.version} supports host {manifest.host}, but this host "
            f"is crm-host {__version__}"
        )
    for required in manifest.requires:
        if required not in discovery.manifests:
            findings.append(f"plugin {name} requires plugin {required}, which is not present")
    for used in manifest.uses:
        if used not in discovery.manifests:
            findings.append(
                f"plugin {name} uses plugin {used}, which is not present, so its "
                f"implementations of {used}'s hooks cannot be checked"
            )
    if not any("requires plugin" in f for f in findings):
        try:
            order_plugins(discovery.manifests, _with_requirements(manifest, discovery))
        except PluginError as error:
            findings.append(str(error))
    return findings


def _with_requirements(manifest: Manifest, discovery: Discovery) -> set[str]:
    wanted, stack = set(), [manifest.name]
    while stack:
        current = stack.pop()
        if current in wanted or current not in discovery.manifests:
            continue
        wanted.add(current)
        stack.extend(discovery.manifests[current].requires)
    return wanted


def checked_permissions(package_dir: Path) -> dict[str, str]:
    """Permission names written as string literals in ``require``/``authorize``/``can``
    calls in the package's Python files, with where each first appears."""
    found: dict[str, str] = {}
    files = [package_dir] if package_dir.is_file() else sorted(package_dir.rglob("*.py"))
    for path in files:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            position = PERMISSION_CALLS.get(called or "")
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, f"{path.name}:{node.lineno}")
    return found


def import_warnings(manifest: Manifest) -> list[str]:
    """The plugin's imports of the host outside the SDK, each with its replacement."""
    where = _package_dir(manifest)
    if where is None:
        return []
    if where.is_dir():
        return sdk_import_warnings(where)
    return file_warnings(where, where.name)


def shape_findings(manifest: Manifest) -> list[str]:
    """Where the plugin's package departs from the plugin shape."""
    where = _package_dir(manifest)
    if where is None:
        return []
    return [
        f"plugin {manifest.name} is not in the plugin shape: {p}" for p in shape_problems(where)
    ]


def _package_dir(manifest: Manifest) -> Path | None:
    spec = importlib.util.find_spec(manifest.package) if manifest.package else None
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.parent if spec.submodule_search_locations else origin


def declared_permissions(manifest: Manifest, discovery: Discovery) -> set[str]:
    """The permissions the host declares and those the plugin and the plugins it requires
    or uses return from ``crm_register_permissions``, read without starting a host."""
    from crm_host.runtime.permissions import RUNTIME_PERMISSIONS
    from crm_host.security.permissions import HOST_PERMISSIONS

    names = {p.name for p in HOST_PERMISSIONS + RUNTIME_PERMISSIONS}
    for name in [manifest.name, *manifest.requires, *manifest.uses]:
        other = discovery.manifests.get(name)
        try:
            module = importlib.import_module(other.hooks) if other and other.hooks else None
            declare = getattr(module, "crm_register_permissions", None)
            names.update(p.name for p in (declare() if declare else None) or ())
        except Exception:  # reported by the hook checks already
            continue
    return names


def permission_findings(
    manifest: Manifest, declared: set[str], route_permissions: dict[str, str]
) -> list[str]:
    """Permissions the plugin's views check (marks on its routes, literals in its code)
    that neither it nor the host declares."""
    wanted = dict(route_permissions)
    package_dir = _package_dir(manifest)
    if package_dir is not None:
        for permission, where in checked_permissions(package_dir).items():
            wanted.setdefault(permission, where)
    return [
        f"plugin {manifest.name} checks permission {permission} ({where}), which is not "
        "declared: return it from crm_register_permissions"
        for permission, where in sorted(wanted.items())
        if permission not in declared
    ]


def customer_data_findings(manifest: Manifest, customer_tables: list[str]) -> list[str]:
    """The privacy and merge hooks a plugin holding rows about customers must implement."""
    if not customer_tables:
        return []
    implemented = implemented_hooks(manifest)
    tables = ", ".join(customer_tables)
    return [
        f"plugin {manifest.name} keeps rows about customers ({tables}) but does not "
        f"implement {hook}: {why}"
        for hook, why in CUSTOMER_DATA_HOOKS.items()
        if hook not in implemented
    ]
