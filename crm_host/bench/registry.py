"""Benchmarks by name: the host's own and whatever plugins register.

A benchmark is a function ``fn(size, databases, workdir) -> list[Figure]``: ``size``
is ``S``, ``M`` or ``L``, ``databases`` hands out fresh empty databases of the
chosen backend (:class:`crm_host.bench._runs.Databases`), ``workdir`` is a scratch
directory removed after the run. Plugins register theirs through
``crm_register_benchmarks(registry)``, so the host never imports a plugin by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_host.bench.figures import Figure
from crm_host.plugins._registering import PluginRegistry, register_from_plugins
from crm_host.plugins.manifest import PluginError

BenchmarkFunction = Callable[[str, Any, Path], list[Figure]]


@dataclass(frozen=True)
class Benchmark:
    """A registered benchmark."""

    name: str
    function: BenchmarkFunction
    description: str
    plugin: str | None


class BenchmarkRegistry(PluginRegistry):
    """What ``crm_register_benchmarks(registry)`` receives."""

    def __init__(self) -> None:
        super().__init__()
        self.benchmarks: dict[str, Benchmark] = {}

    def add(self, name: str, function: BenchmarkFunction, *, description: str = "") -> None:
        """Register ``function`` as ``<slug>.<name>`` (the host's own: just ``name``)."""
        full = self.qualified(name, "benchmark", self.benchmarks)
        if not callable(function):
            raise PluginError(f"{self.who}: benchmark {name} is not callable")
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
    register_from_plugins(plugins, "crm_register_benchmarks", registry)
    return registry
