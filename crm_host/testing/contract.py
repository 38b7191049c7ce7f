"""Checks of the hook contract that any project can run on its own hookspecs and tests."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

_KIND = re.compile(r"\b(first-result|collecting)\b", re.IGNORECASE)


def hookspecs_of(namespace: ModuleType | type, project: str = "crm") -> dict[str, Any]:
    """The hookspec functions defined in a module or class, by name."""
    marker = f"{project}_spec"
    return {
        name: function
        for name, function in inspect.getmembers(namespace, callable)
        if hasattr(function, marker)
    }


def undocumented_hookspecs(namespace: ModuleType | type) -> dict[str, str]:
    """Hookspecs whose docstring is missing or does not say first-result or collecting."""
    problems = {}
    for name, function in hookspecs_of(namespace).items():
        doc = inspect.getdoc(function) or ""
        if len(doc) < 40:
            problems[name] = "has no docstring saying when it is called and what it returns"
        elif not _KIND.search(doc):
            problems[name] = "does not say whether it is first-result or collecting"
    return problems


def marked_hookspecs(paths: Iterable[Path]) -> set[str]:
    """Names given to ``@pytest.mark.hookspec("…")`` in the Python files under ``paths``."""
    names: set[str] = set()
    for root in paths:
        for path in Path(root).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "hookspec"
                    and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr == "mark"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    names.add(node.args[0].value)
    return names


def untested_hookspecs(namespace: ModuleType | type, paths: Iterable[Path]) -> set[str]:
    """Hookspecs of ``namespace`` that no test under ``paths`` marks as exercised."""
    return set(hookspecs_of(namespace)) - marked_hookspecs(paths)
