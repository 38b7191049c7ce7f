"""The host's layers, and no import cycle in the host or in any plugin.

Every import counts, at module level and inside functions: a function-level import is
still a dependency, it only runs later. For cycles, imports under ``if TYPE_CHECKING:``
count too: a cycle of hints is still a knot a reader has to untie. For the layer order
they are exempt, because they never run (with ``from __future__ import annotations``
the names they bring are only read by type checkers): a module that needs a higher
layer's type for a hint imports it there. The hook specifications are the main user:
they name in hints the registries of every layer their hooks receive.

The layers, lowest first (``LAYERS``); a module may import its own layer and any layer
below it, never one above:

1. ``base``: the package, settings, translations, logs, file sniffing and event labels —
   leaf modules that import no other host module.
2. ``contract``: the hook specifications and the plugin manager. Plugins are found and
   called through them by every other layer, and they need nothing of the host but the
   event labels, so they sit under the core (the core's host object holds the manager).
3. ``core``: database, errors, the company clock, the host object, the models and what
   they are built of (row versions, encrypted sensitive fields), permission scopes and
   the object registry's access check, fields, paging, migrations.
4. ``records``: audit, timeline, notifications, attachments — written by the security
   and domain layers, so below them.
5. ``security``: sign-in, tokens, keys, single sign-on, throttling, permissions; it
   audits (so sits on records). Single sign-on gets the directory's ``create_user``
   handed in by the app.
6. ``links``: signed links and their page (signed with keys, checked with permissions).
7. ``runtime``: jobs, events, queue, webhooks, schedules — the machinery that domain
   code hands work to. The domain's jobs and the app factory a Celery worker needs are
   handed to it by the app; its modules find the runtime in ``runtime.current``.
8. ``domain``: customers, importing, SLA clocks, segments, analytics, lifecycle, the
   directory, the host's object types and jobs.
9. ``web``: the Flask glue shared by the API and the console (gates, health, metrics).
10. ``api`` then ``console``: the console's pages call the API's schemas.
11. ``app``: the application factory, the WSGI entry and the production checks — it
    wires every layer below together, handing down what they need from above.
12. ``tools``: bench, authoring, backup, the demo data — each drives a whole app.
13. ``cli``: the ``crm`` command, over the tools, with the runtime's job commands
    (``crm_host.runtime.cli``: commands, whatever package they live in).
14. ``sdk``: the plugins' facade, re-exporting names from every layer.
15. ``compat``: :mod:`crm_host.deprecation` and every shim at an old path, which
    resolves names through the SDK.

The same order is written out for authors in ``docs/authors/deprecations.md``.

``KNOWN_DEBT`` lists upward imports not yet broken, each with the reason; the test fails
on any upward import not in it, and on a listed one that has gone (so the list only
shrinks).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).parent.parent
#: Trees left out, as in the layout metrics: tests, migrations, the testing helpers.
SKIP = ("tests", "migrations", "testing")

#: Lowest first: (layer, module prefixes). A module belongs to its longest prefix.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "crm_host",
            "crm_host.config",
            "crm_host.i18n",
            "crm_host.logs",
            "crm_host.sniffing",
            "crm_host.event_labels",
        ),
    ),
    ("contract", ("crm_host.hookspecs", "crm_host.plugins")),
    ("core", ("crm_host.core",)),
    ("records", ("crm_host.records",)),
    ("security", ("crm_host.security",)),
    ("links", ("crm_host.links",)),
    ("runtime", ("crm_host.runtime",)),
    ("domain", ("crm_host.domain",)),
    ("web", ("crm_host.web",)),
    ("api", ("crm_host.api",)),
    ("console", ("crm_host.console",)),
    ("app", ("crm_host.app", "crm_host.wsgi", "crm_host.production")),
    (
        "tools",
        (
            "crm_host.bench",
            "crm_host.authoring",
            "crm_host.backup",
            "crm_host.backup_keys",
            "crm_host.demo",
        ),
    ),
    # The jobs commands live with the runtime but are commands: they sit with the CLI.
    ("cli", ("crm_host.cli", "crm_host.runtime.cli")),
    ("sdk", ("crm_host.sdk",)),
    ("compat", ("crm_host.deprecation",)),
]

#: Upward imports still to break: "importer -> imported" with why. Shrinks only.
KNOWN_DEBT: dict[str, str] = {}


def _skipped(path: Path, top: Path) -> bool:
    return any(part in SKIP for part in path.relative_to(top).parts)


def module_files(top: Path, package: str) -> dict[str, Path]:
    """Module name -> file, for every production module of ``package`` under ``top``."""
    found = {}
    for path in sorted((top / package).rglob("*.py")):
        if _skipped(path, top) or path.as_posix().endswith("demo/data.py"):
            continue
        parts = list(path.relative_to(top).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the nodes under an ``if TYPE_CHECKING:`` (they never run)."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            exempt |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return exempt


def _targets(node: ast.AST, package: str) -> list[str]:
    """The dotted names an import statement may load (``module.name``, else ``module``).

    ``from pkg import sub`` counts as an import of ``pkg.sub`` when that is a module, as
    ``import pkg.sub`` would: each runs ``pkg/__init__.py`` the same way, and neither
    reads a name of it (``tests/test_host_imports.py`` draws the line in the same place).
    """
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = node.module or ""
    if node.level:
        base = package.split(".")
        module = ".".join(base[: len(base) - node.level + 1] + ([module] if module else []))
    return [f"{module}.{alias.name}" for alias in node.names]


def import_graph(
    files: dict[str, Path], *, type_checking: bool = False
) -> dict[str, dict[str, str]]:
    """Module -> {imported module: "file:line" of the first such import}; imports under
    ``if TYPE_CHECKING:`` are edges only with ``type_checking``."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for me, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        exempt = set() if type_checking else _type_checking_nodes(tree)
        package = me if path.name == "__init__.py" else me.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in exempt:
                continue
            for target in _targets(node, package):
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != me and not me.startswith(target + "."):
                    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    where = f"{shown}:{node.lineno}"
                    graph[me].setdefault(target, where)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, {})))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def describe(component: list[str], graph: dict[str, dict[str, str]]) -> str:
    """One cycle inside ``component``, each step with its file:line."""
    members = set(component)
    path, seen = [component[0]], {component[0]: 0}
    while True:
        step = next(t for t in sorted(graph[path[-1]]) if t in members)
        if step in seen:
            loop = path[seen[step] :] + [step]
            break
        seen[step] = len(path)
        path.append(step)
    steps = [f"  {a} -> {b} ({graph[a][b]})" for a, b in zip(loop, loop[1:], strict=False)]
    return f"cycle among {len(component)} modules:\n" + "\n".join(steps)


def _shims(files: dict[str, Path]) -> set[str]:
    return {
        name
        for name, path in files.items()
        if name != "crm_host.deprecation" and "moved(__name__" in path.read_text(encoding="utf-8")
    }


def layer_of(module: str, shims: set[str]) -> int | None:
    """Position of ``module``'s layer in ``LAYERS`` (shims are compatibility, on top)."""
    if module in shims:
        return len(LAYERS) - 1
    best, rank = "", None
    for position, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # The bare package name places only its __init__, not everything under it.
            inside = prefix != "crm_host" and module.startswith(prefix + ".")
            if (module == prefix or inside) and len(prefix) > len(best):
                best, rank = prefix, position
    return rank


def upward_imports(files: dict[str, Path]) -> dict[str, str]:
    """ "importer -> imported" -> "file:line (lower layer -> higher layer)" for each upward import."""
    shims = _shims(files)
    graph = import_graph(files)
    found = {}
    for me, targets in graph.items():
        for target, where in targets.items():
            mine, theirs = layer_of(me, shims), layer_of(target, shims)
            if mine is not None and theirs is not None and theirs > mine:
                found[f"{me} -> {target}"] = f"{where} ({LAYERS[mine][0]} -> {LAYERS[theirs][0]})"
    return found


def _plugin_packages() -> list[tuple[Path, str]]:
    tops = [p for p in (ROOT / "plugins").iterdir() if p.is_dir()]
    tops += [p for p in (ROOT / "examples").iterdir() if p.is_dir()]
    return [
        (top, package.name)
        for top in sorted(tops)
        for package in sorted(top.iterdir())
        if package.name.startswith("crm_") and (package / "__init__.py").exists()
    ]


def test_every_host_module_has_a_layer():
    """A new top-level package or module must be placed in ``LAYERS`` on purpose."""
    files = module_files(ROOT, "crm_host")
    shims = _shims(files)
    assert [name for name in files if layer_of(name, shims) is None] == []


def test_no_import_cycle_in_the_host():
    """The host's modules form no cycle, counting imports inside functions."""
    graph = import_graph(module_files(ROOT, "crm_host"), type_checking=True)
    assert [describe(c, graph) for c in cycles(graph)] == []


def test_no_import_cycle_in_any_plugin():
    """Each plugin package (and the example) forms no cycle either."""
    packages = _plugin_packages()
    assert len(packages) >= 4
    found = []
    for top, package in packages:
        graph = import_graph(module_files(top, package), type_checking=True)
        found += [describe(c, graph) for c in cycles(graph)]
    assert found == []


def test_no_import_from_a_lower_layer_into_a_higher_one():
    """Every upward import is a new one unless ``KNOWN_DEBT`` names it."""
    upward = upward_imports(module_files(ROOT, "crm_host"))
    new = [f"{edge}: {where}" for edge, where in sorted(upward.items()) if edge not in KNOWN_DEBT]
    assert new == []


def test_known_debt_only_shrinks():
    """A debt that has been paid leaves the list, so it cannot come back unnoticed."""
    upward = upward_imports(module_files(ROOT, "crm_host"))
    assert sorted(set(KNOWN_DEBT) - set(upward)) == []


def test_the_graph_sees_function_level_imports_and_skips_type_checking(tmp_path):
    """A function-level import is an edge, one under ``TYPE_CHECKING`` is not."""
    package = tmp_path / "crm_x"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from crm_x import c\n"
        "def f():\n"
        "    from . import b\n"
    )
    (package / "b.py").write_text("import crm_x.a\n")
    (package / "c.py").write_text("")
    graph = import_graph(module_files(tmp_path, "crm_x"))
    assert set(graph["crm_x.a"]) == {"crm_x.b"}
    with_hints = import_graph(module_files(tmp_path, "crm_x"), type_checking=True)
    assert set(with_hints["crm_x.a"]) == {"crm_x.b", "crm_x.c"}
    assert cycles(graph) == [["crm_x.a", "crm_x.b"]]
