"""The import contract, read from the source: the host imports no plugin, a plugin
package imports no other plugin and nothing of the host but ``crm_host.sdk`` and
``crm_host.testing``, and a plugin's own tests import only the plugins in its
``requires`` and ``uses``.

Imports anywhere in a file count — at the top, inside a function, under
``TYPE_CHECKING`` — and so do module names given as literals to
``importlib.import_module``. A failure lists one line per import that breaks a rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
#: Tests of a plugin that import a plugin outside its ``requires``/``uses``, and that
#: plugin's package. Kept only until they move to tests/integration/; nothing is added.
ALLOWED_TEST_IMPORTS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Plugin:
    """A plugin of this repository, as its manifest declares it."""

    name: str
    package: Path
    requires: tuple[str, ...]
    uses: tuple[str, ...]


def _manifest_arguments(package: Path) -> dict[str, object]:
    """The literal keyword arguments of the ``Manifest(...)`` call in ``__init__.py``."""
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Manifest":
            return {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    raise AssertionError(f"{package}/__init__.py has no Manifest(...) call")


def plugins() -> dict[str, Plugin]:
    """Package name → plugin, for the built-ins and the examples."""
    found = {}
    for package in [*ROOT.glob("plugins/*/crm_*"), *ROOT.glob("examples/*/crm_*")]:
        if (package / "__init__.py").is_file():
            declared = _manifest_arguments(package)
            found[package.name] = Plugin(
                name=str(declared["name"]),
                package=package,
                requires=tuple(declared.get("requires", ())),
                uses=tuple(declared.get("uses", ())),
            )
    return found


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every absolute import in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def violations(
    files: list[Path], allowed: set[str], known: set[str], rule: str, root: Path = ROOT
) -> Iterator[str]:
    """One line per import in ``files`` of a package in ``known`` but not in ``allowed``."""
    for path in files:
        for line, module in imported_modules(path):
            package = module.split(".")[0]
            if package in known and package not in allowed:
                where = path.relative_to(root).as_posix()
                if (where, package) not in ALLOWED_TEST_IMPORTS:
                    yield f"{where}:{line} imports {module}: {rule}"


#: What a plugin package may import of the host: the SDK and, in its tests, the testing kit.
SDK_MODULES = ("crm_host.sdk", "crm_host.testing")


def host_violations(files: list[Path], rule: str, root: Path = ROOT) -> Iterator[str]:
    """One line per import in ``files`` of a host module outside :data:`SDK_MODULES`."""
    for path in files:
        for line, module in sorted(imported_modules(path)):
            inside = module == "crm_host" or module.startswith("crm_host.")
            public = any(module == m or module.startswith(m + ".") for m in SDK_MODULES)
            if inside and not public:
                yield f"{path.relative_to(root).as_posix()}:{line} imports {module}: {rule}"


def test_the_plugins_of_this_repository_are_found():
    assert sorted(p.name for p in plugins().values()) == [
        "industry_power",
        "loyalty",
        "marketing",
        "sales",
        "service",
    ]


def test_the_host_imports_no_plugin():
    files = sorted((ROOT / "crm_host").rglob("*.py"))
    assert len(files) > 100
    found = list(violations(files, set(), set(plugins()), "the host never imports a plugin"))
    assert found == [], "\n".join(found)


def test_a_plugin_package_imports_no_other_plugin():
    known = set(plugins())
    found = []
    for package, plugin in sorted(plugins().items()):
        files = sorted(plugin.package.rglob("*.py"))
        rule = f"plugin {plugin.name} imports no other plugin (use its hooks and objects)"
        found += violations(files, {package}, known, rule)
    assert found == [], "\n".join(found)


def test_a_plugin_package_imports_the_host_only_through_the_sdk():
    found = []
    for plugin in sorted(plugins().values(), key=lambda p: p.name):
        files = sorted(plugin.package.rglob("*.py"))
        rule = f"plugin {plugin.name} imports the host only from crm_host.sdk and crm_host.testing"
        found += host_violations(files, rule)
    assert found == [], "\n".join(found)


def test_a_plugins_tests_import_only_the_plugins_it_requires_or_uses():
    every = plugins()
    by_name = {p.name: package for package, p in every.items()}
    found = []
    for package, plugin in sorted(every.items()):
        allowed = {package} | {by_name[n] for n in (*plugin.requires, *plugin.uses) if n in by_name}
        files = sorted((plugin.package.parent / "tests").rglob("*.py"))
        rule = (
            f"tests of plugin {plugin.name} import only it and the plugins in its requires/uses "
            "(tests of several plugins live in tests/integration/)"
        )
        found += violations(files, allowed, set(every), rule)
    assert found == [], "\n".join(found)


def test_a_breach_is_reported_with_its_file_and_line(tmp_path):
    # The rules above can fail: a file importing plugins three ways yields three lines.
    source = tmp_path / "module.py"
    source.write_text(
        "import crm_sales\n"
        "def f():\n"
        "    from crm_service.models import Ticket\n"
        "    importlib.import_module('crm_marketing.rules')\n"
        "from crm_host import db\n"
        "import crm_loyalty\n"
    )
    known = {"crm_sales", "crm_service", "crm_marketing", "crm_loyalty"}
    assert list(violations([source], {"crm_loyalty"}, known, "a rule", tmp_path)) == [
        "module.py:1 imports crm_sales: a rule",
        "module.py:3 imports crm_service.models: a rule",
        "module.py:4 imports crm_marketing.rules: a rule",
    ]


def test_a_host_import_outside_the_sdk_is_reported_with_its_file_and_line(tmp_path):
    # Three host imports that break the rule, three that keep it: one line each breach.
    source = tmp_path / "module.py"
    source.write_text(
        "from crm_host import audit\n"
        "from crm_host.sdk import get_host\n"
        "from crm_host.sdk.web import page\n"
        "def f():\n"
        "    from crm_host.core.models import Customer\n"
        "import crm_host.testing\n"
        "import crm_hostile\n"
        "import crm_host.sdkish\n"
    )
    assert list(host_violations([source], "a rule", tmp_path)) == [
        "module.py:1 imports crm_host: a rule",
        "module.py:5 imports crm_host.core.models: a rule",
        "module.py:8 imports crm_host.sdkish: a rule",
    ]
