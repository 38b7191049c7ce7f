"""Benchmarks by name: the host's own and whatever plugins register.

A benchmark is a function ``fn(size, databases, workdir) -> list[Figure]``: ``size``
is ``S``, ``M`` or ``L``, ``databases`` hands out fresh empty databases of the
chosen backend (:class:`crm_host.bench.runs.Databases`), ``workdir`` is a scratch
directory removed after the run. Plugins register theirs through
``crm_register_benchmarks(registry)``, so the host never imports a plugin by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_host.bench.figures import Figure
from crm_host.plugins.manifest import PluginError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

BenchmarkFunction = Callable[[str, Any, Path], list[Figure]]


@dataclass(frozen=True)
class Benchmark:
    """A registered benchmark."""

    name: str
    function: BenchmarkFunction
    description: str
    plugin: str | None


class BenchmarkRegistry:
    """What ``crm_register_benchmarks(registry)`` receives."""

    def __init__(self) -> None:
        self.benchmarks: dict[str, Benchmark] = {}
        self._plugin: str | None = None
        self._slug = ""

    def add(self, name: str, function: BenchmarkFunction, *, description: str = "") -> None:
        """Register ``function`` as ``<slug>.<name>`` (the host's own: just ``name``)."""
        who = f"plugin {self._plugin}" if self._plugin else "the host"
        if not _NAME.match(name):
            raise PluginError(
                f"{who}: benchmark name {name!r} must be lower-case letters, digits, _"
            )
        if not callable(function):
            raise PluginError(f"{who}: benchmark {name} is not callable")
        full = f"{self._slug}.{name}" if self._slug else name
        if full in self.benchmarks:
            raise PluginError(f"{who}: a benchmark named {full} is registered already")
        self.benchmarks[full] = Benchmark(full, function, description, self._plugin)

    def get(self, name: str) -> Benchmark | None:
        """The benchmark with this name, if any."""
        return self.benchmarks.get(name)

    def names(self) -> list[str]:
        """Every name: the host's first, then each plugin's, in registration order."""
        return list(self.benchmarks)


def collect_benchmarks(
    plugins: Any, host: Callable[[BenchmarkRegistry], None]
) -> BenchmarkRegistry:
    """The host's benchmarks (added by ``host``) and every loaded plugin's."""
    registry = BenchmarkRegistry()
    host(registry)
    for name, function, argnames in plugins.implementations("crm_register_benchmarks"):
        registry._plugin, registry._slug = name, plugins.manifest(name).slug
        try:
            function(**{a: {"registry": registry}[a] for a in argnames})
        finally:
            registry._plugin, registry._slug = None, ""
    return registry


def present_plugins() -> Any:
    """A plugin manager with every present plugin loaded, installed or not.

    A benchmark run builds its own databases and installs what it needs there, so
    it measures every plugin the environment provides, whatever the local database
    holds. A plugin that cannot be loaded stops the run with a message naming it.
    """
    from crm_host.plugins.manager import PluginManager, discover

    discovery = discover()
    manager = PluginManager()
    manager.load(discovery, discovery.manifests)
    return manager
