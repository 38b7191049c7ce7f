"""The host, its plugins and the example never import through a deprecated path.

An old path (see :mod:`crm_host.deprecation`) warns only when a name is read through
it, so a host import through one would warn in every plugin's face: this reads every
import statement, at module level and inside functions, and then imports the SDK and
the plugins with deprecation warnings as errors.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
HOST = ROOT / "crm_host"
#: Trees that must use the new paths (the frozen pre-SDK plugin under tests/ is exempt).
CHECKED = ("crm_host", "plugins", "examples")


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _shims() -> set[str]:
    return {
        _module_of(path)
        for path in HOST.rglob("*.py")
        if path.stem != "deprecation" and "moved(__name__" in path.read_text(encoding="utf-8")
    }


def _real_module(name: str) -> bool:
    """Whether ``name`` is a module on disk that is not a shim."""
    base = ROOT / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def deprecated_imports(path: Path, shims: set[str]) -> list[str]:
    """``path:line old.name`` for each import in ``path`` that goes through a shim."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name in shims]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                through_shim = node.module in shims and not (
                    _real_module(full) and full not in shims
                )
                if full in shims or through_shim:
                    found.append(f"{path.name}:{node.lineno} {full}")
    return found


def test_no_module_imports_through_an_old_path():
    """Every ``import`` and ``from … import`` in the host, plugins and example."""
    shims = _shims()
    assert "crm_host.models" in shims and "crm_host.audit" in shims
    found = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if ".venv" in path.parts or "build" in path.parts:
                continue
            if path.is_relative_to(HOST) and _module_of(path) in shims:
                continue
            found += [f"{path.parent}/{line}" for line in deprecated_imports(path, shims)]
    assert found == []


def test_the_checker_sees_every_form(tmp_path):
    """Module level, inside a function, ``from crm_host import audit`` and a package."""
    source = tmp_path / "crm_x.py"
    source.write_text(
        "from crm_host import audit\n"
        "import crm_host.db\n"
        "def f():\n"
        "    from crm_host.runtime import emit\n"
        "    from crm_host.runtime import queue\n"
    )
    found = [line.split(" ", 1)[1] for line in deprecated_imports(source, _shims())]
    assert sorted(found) == ["crm_host.audit", "crm_host.db", "crm_host.runtime.emit"]


def test_importing_the_sdk_and_the_plugins_reads_no_old_path():
    """With deprecation warnings as errors, the SDK, the app and every plugin import."""
    code = (
        "import importlib, sys\n"
        "from importlib.metadata import entry_points\n"
        "import crm_host.app, crm_host.cli.main\n"
        "for m in ('', '.customers', '.web', '.migrations', '.bench'):\n"
        "    importlib.import_module('crm_host.sdk' + m)\n"
        "for ep in entry_points(group='crm_host.plugins'):\n"
        "    ep.load()\n"
        "from crm_host.deprecation import home_of\n"
        "loaded = [n for n, m in sys.modules.items() if home_of(m)]\n"
        "parents = {n.rpartition('.')[0] for n in sys.modules}\n"
        "print(sorted(set(loaded) - parents))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Only packages whose submodules the host uses are loaded, never a leaf shim.
    assert result.stdout.strip() == "[]"


def test_domain_modules_never_import_the_web_layer():
    """``crm_host.core``, ``records`` and ``domain`` stay below the API and the console."""
    web = ("crm_host.api", "crm_host.web", "crm_host.console")
    found = []
    for top in ("core", "records", "domain"):
        for path in sorted((HOST / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                found += [
                    f"{path.relative_to(HOST)}:{node.lineno} {name}"
                    for name in names
                    if name.startswith(web) and name.split(".")[1] in ("api", "web", "console")
                ]
    assert found == []
