"""The plugin shape, checked: what ``crm plugins check`` and the shape test report.

Every plugin package has the same shape (see ``docs/authors/plugin-shape.md``):
``__init__.py`` holds the manifest only, so that discovery imports nothing else;
``plugin.py`` the hook implementations; ``models/``; domain modules by feature; and per
layer a package split by feature (``api/``, ``views/``, ``cli/``, ``schemas/``), with
module-level click commands. :func:`shape_problems` reads the package's files (it
imports nothing) and says, one sentence each, where a package departs from it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

#: The layers that are packages split by feature, never one module or ``<layer>_x.py``.
LAYERS = ("api", "views", "cli", "schemas")
#: Folders whose files are not the plugin's code (generated or data).
SKIPPED_FOLDERS = {"__pycache__", "migrations", "templates", "translations", "static"}
#: Decorators that make a click command or group (``@cli.command(…)``, ``@click.group``).
CLICK_DECORATORS = {"command", "group"}


def shape_problems(package_dir: Path) -> list[str]:
    """Where the plugin package in ``package_dir`` departs from the plugin shape.

    Returns one sentence per problem, naming the file; an empty list when the package
    has the shape. A single-module plugin (a file, not a package) has no shape to check.
    """
    if not package_dir.is_dir():
        return []
    problems = _manifest_problems(package_dir)
    problems += _layer_problems(package_dir)
    for path in _python_files(package_dir):
        tree = _parse(path)
        if tree is not None:
            problems += _register_problems(package_dir, path, tree)
    return problems


def _python_files(package_dir: Path) -> Iterator[Path]:
    """The package's own Python files, in a stable order."""
    for path in sorted(package_dir.rglob("*.py")):
        if not SKIPPED_FOLDERS.intersection(path.relative_to(package_dir).parts[:-1]):
            yield path


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError:  # the hook checks report a plugin that does not import
        return None


def _name(package_dir: Path, path: Path) -> str:
    """``crm_x/api/points.py``: a file named as an author finds it."""
    return path.relative_to(package_dir.parent).as_posix()


def _manifest_problems(package_dir: Path) -> list[str]:
    """``__init__.py`` defines ``manifest`` and imports no module of its own package."""
    init = package_dir / "__init__.py"
    where = _name(package_dir, init)
    tree = _parse(init) if init.is_file() else None
    if tree is None:
        return [f"{where} is missing or unreadable: it holds the plugin's manifest"]
    problems = []
    if not any(_assigns(node, "manifest") for node in tree.body):
        problems.append(f"{where} does not define `manifest`: the manifest lives there, alone")
    package = package_dir.name
    for node in ast.walk(tree):
        imported = _sibling_import(node, package)
        if imported:
            problems.append(
                f"{where}:{node.lineno} imports {imported}: __init__.py holds the manifest "
                "only, so that discovering the plugin imports nothing else"
            )
    return problems


def _assigns(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _sibling_import(node: ast.AST, package: str) -> str | None:
    """The module of ``package`` that ``node`` imports, if it is an import of one."""
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level > 0:
            return f".{module}" if module else "." + ", .".join(a.name for a in node.names)
        if module == package:
            return ", ".join(f"{package}.{a.name}" for a in node.names)
        if module.startswith(f"{package}."):
            return module
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith(f"{package}."):
                return alias.name
    return None


def _layer_problems(package_dir: Path) -> list[str]:
    """Layers are packages: no ``api.py`` beside the package, no ``views_x.py`` anywhere."""
    problems = []
    for layer in LAYERS:
        module = package_dir / f"{layer}.py"
        if module.is_file():
            problems.append(
                f"{_name(package_dir, module)} is a module: make {layer}/ a package split by "
                f"feature ({layer}/<feature>.py, assembled in {layer}/__init__.py)"
            )
        folder = package_dir / layer
        if folder.is_dir() and not (folder / "__init__.py").is_file():
            problems.append(
                f"{_name(package_dir, folder)}/ has no __init__.py: it is a package that "
                "assembles its feature modules"
            )
    for path in _python_files(package_dir):
        prefix = path.stem.split("_", 1)[0]
        if prefix in LAYERS and path.stem != prefix:
            problems.append(
                f"{_name(package_dir, path)} is named after its layer: move it to "
                f"{prefix}/{path.stem.split('_', 1)[1]}.py"
            )
    return problems


def _register_problems(package_dir: Path, path: Path, tree: ast.Module) -> list[str]:
    """No ``register`` function defining click commands inside itself."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name != "register":
            continue
        nested = [
            inner.name
            for inner in ast.walk(node)
            if inner is not node
            and isinstance(inner, ast.FunctionDef)
            and any(_is_click_decorator(d) for d in inner.decorator_list)
        ]
        if nested:
            problems.append(
                f"{_name(package_dir, path)}:{node.lineno} defines click commands inside "
                f"register() ({', '.join(nested)}): define them at module level and gather "
                "them in cli/__init__.py"
            )
    return problems


def _is_click_decorator(decorator: ast.expr) -> bool:
    """``@x.command``, ``@x.command(…)``, ``@x.group(…)`` and the like."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in CLICK_DECORATORS
