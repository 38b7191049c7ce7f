"""Discovery, ordering and loading of plugins on top of pluggy.

Every distribution that names a module in the ``crm_host.plugins`` entry-point
group is *discovered*; only plugins recorded as *installed* in the database are
*loaded* (their hook implementations registered, their models imported).
"""

from __future__ import annotations

import graphlib
import importlib
import importlib.metadata
import importlib.util
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from crm_host import __version__, hookspecs
from crm_host.plugins.manifest import Manifest, PluginError

PROJECT = "crm"
ENTRY_POINT_GROUP = "crm_host.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass
class Plugin:
    """A discovered plugin: its manifest, and whether and how it loaded."""

    manifest: Manifest
    distribution: str = ""
    installed: bool = False
    loaded: bool = False
    hooks_module: ModuleType | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The plugin's name (its entry-point name)."""
        return self.manifest.name


@dataclass
class Discovery:
    """What discovery found: good manifests, and the entry points that are broken."""

    manifests: dict[str, Manifest]
    distributions: dict[str, str]
    problems: dict[str, str]


def _fill_defaults(manifest: Manifest, module: ModuleType) -> Manifest:
    """Point hooks, models and migrations at the conventional places inside the package."""
    package = module.__name__
    package_dir = Path(module.__file__ or "").parent
    changes: dict[str, Any] = {"package": package}
    if not hasattr(module, "__path__"):  # a single-module plugin names its parts itself
        return replace(manifest, **changes)
    if not manifest.hooks and importlib.util.find_spec(f"{package}.plugin") is not None:
        changes["hooks"] = f"{package}.plugin"
    if not manifest.models and importlib.util.find_spec(f"{package}.models") is not None:
        changes["models"] = f"{package}.models"
    if manifest.migrations is None and (package_dir / "migrations" / "versions").is_dir():
        changes["migrations"] = package_dir / "migrations" / "versions"
    return replace(manifest, **changes)


def discover() -> Discovery:
    """Read the manifest of every plugin distribution present in the environment.

    A distribution whose manifest cannot be imported or is invalid is reported in
    ``problems`` instead of stopping the others.
    """
    importlib.invalidate_caches()
    manifests: dict[str, Manifest] = {}
    distributions: dict[str, str] = {}
    problems: dict[str, str] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        name = entry_point.name
        dist = entry_point.dist.name if entry_point.dist else ""
        if name in manifests:
            problems[name] = (
                f"plugin {name} is provided by two distributions: {distributions[name]} and {dist}"
            )
            continue
        try:
            module = entry_point.load()
            manifest = getattr(module, "manifest", None)
            if not isinstance(manifest, Manifest):
                raise PluginError(
                    f"module {entry_point.value} has no `manifest` (a crm_host.plugins.facade.Manifest)"
                )
            if manifest.name != name:
                raise PluginError(f"entry point {name!r} loads a manifest named {manifest.name!r}")
            manifests[name] = _fill_defaults(manifest, module)
            distributions[name] = dist
        except Exception as exc:  # a broken third-party package must not stop the host
            problems[name] = f"plugin {name} ({dist}): {exc}"
    return Discovery(manifests, distributions, problems)


def order_plugins(manifests: dict[str, Manifest], names: Iterable[str]) -> list[Manifest]:
    """Order ``names`` so that every plugin comes after what it requires and uses.

    Raises :class:`PluginError` naming both sides when a required plugin is not
    among ``names``, and naming the cycle when ``requires`` are circular.
    """
    selected = set(names)
    graph: dict[str, set[str]] = {}
    for name in sorted(selected):
        if name not in manifests:
            raise PluginError(f"plugin {name} is installed but no distribution provides it")
        manifest = manifests[name]
        for required in manifest.requires:
            if required not in selected:
                raise PluginError(
                    f"plugin {name} requires plugin {required}, which is not "
                    + ("installed" if required in manifests else "present")
                )
        graph[name] = set(manifest.requires) | {u for u in manifest.uses if u in selected}
    # `uses` only orders; a cycle through `uses` alone is broken rather than refused.
    try:
        return [manifests[n] for n in _stable_order(graph)]
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        required_only = {n: set(manifests[n].requires) for n in graph}
        try:
            order = _stable_order(required_only)
        except graphlib.CycleError:
            raise PluginError(
                "plugins require each other in a circle: " + " → ".join(cycle)
            ) from exc
        return [manifests[n] for n in order]


def _stable_order(graph: dict[str, set[str]]) -> list[str]:
    """A topological order that is the same on every run: ready nodes by name."""
    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


class PluginManager:
    """The host's pluggy manager, with the manifests of what it loaded."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.host_hooks = frozenset(
            name for name, _ in inspect.getmembers(hookspecs) if name.startswith("crm_")
        )
        self.plugins: dict[str, Plugin] = {}
        self.problems: dict[str, str] = {}
        self._addhooks_called = False

    @property
    def hook(self) -> Any:
        """pluggy's hook relay: ``manager.hook.crm_startup(app=app)``."""
        return self.pm.hook

    @property
    def loaded(self) -> list[Plugin]:
        """Loaded plugins in dependency order."""
        return [p for p in self.plugins.values() if p.loaded]

    def manifest(self, name: str) -> Manifest:
        """The manifest of a discovered plugin."""
        try:
            return self.plugins[name].manifest
        except KeyError:
            raise PluginError(f"no plugin named {name} is present") from None

    def by_slug(self, slug: str) -> Plugin | None:
        """The discovered plugin with this slug, if any."""
        return next((p for p in self.plugins.values() if p.manifest.slug == slug), None)

    def load(self, discovery: Discovery, installed: Iterable[str]) -> None:
        """Register the hook implementations of the installed plugins, in dependency order.

        Raises :class:`PluginError` when an installed plugin is incompatible with this
        host, misses a required plugin, or implements a hook nobody defines.
        """
        self.problems = dict(discovery.problems)
        installed = set(installed)
        for name, manifest in discovery.manifests.items():
            self.plugins[name] = Plugin(
                manifest, discovery.distributions.get(name, ""), installed=name in installed
            )
        order = order_plugins(discovery.manifests, installed)
        for manifest in order:
            if not manifest.supports_host(__version__):
                raise PluginError(
                    f"plugin {manifest.name} {manifest.version} supports host {manifest.host}, "
                    f"but this host is crm-host {__version__}"
                )
        if not self._addhooks_called:
            self.pm.hook.crm_addhooks.call_historic(kwargs={"pm": self.pm})
            self._addhooks_called = True
        for manifest in order:
            self._load_one(manifest)
        self.check()
        # Plugins ordered by dependency, so iteration order is load order.
        names = [m.name for m in order]
        self.plugins = dict(
            sorted(self.plugins.items(), key=lambda kv: (_index(names, kv[0]), kv[0]))
        )

    def _load_one(self, manifest: Manifest) -> None:
        plugin = self.plugins[manifest.name]
        try:
            if manifest.models:
                importlib.import_module(manifest.models)
            if manifest.hooks:
                plugin.hooks_module = importlib.import_module(manifest.hooks)
                self.pm.register(plugin.hooks_module, name=manifest.name)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {manifest.name} failed to load: {exc}") from exc
        plugin.loaded = True

    def check(self) -> None:
        """Fail on hook implementations of unknown hooks and on misnamed plugin hookspecs."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            plugin = getattr(exc, "plugin", None)
            name = self.pm.get_name(plugin) if plugin is not None else "?"
            raise PluginError(
                f"plugin {name} implements a hook that neither the host nor an installed plugin "
                f"defines ({exc}). If the hook belongs to a plugin listed in `uses`, mark the "
                "implementation with optionalhook=True."
            ) from exc
        for hook_name, caller in vars(self.pm.hook).items():
            if hook_name in self.host_hooks or caller.spec is None:
                continue
            owner = self._owner_of_namespace(caller.spec.namespace)
            if owner is not None and not hook_name.startswith(f"crm_{owner.manifest.slug}_"):
                raise PluginError(
                    f"plugin {owner.name} defines hook {hook_name}; a plugin's hooks must be "
                    f"named crm_{owner.manifest.slug}_*"
                )

    def owner_of_hook(self, hook_name: str) -> Plugin | None:
        """The plugin whose hookspecs define ``hook_name``; ``None`` for the host's hooks
        and for hooks nobody defines."""
        caller = getattr(self.pm.hook, hook_name, None)
        spec = getattr(caller, "spec", None)
        if spec is None or hook_name in self.host_hooks:
            return None
        return self._owner_of_namespace(spec.namespace)

    def _owner_of_namespace(self, namespace: Any) -> Plugin | None:
        module = namespace if isinstance(namespace, ModuleType) else inspect.getmodule(namespace)
        module_name = getattr(module, "__name__", "")
        for plugin in self.plugins.values():
            package = plugin.manifest.package
            if package and (module_name == package or module_name.startswith(package + ".")):
                return plugin
        return None

    def implementations(
        self, hook_name: str, plugins: Iterable[str] | None = None
    ) -> list[tuple[str, Callable[..., Any], tuple[str, ...]]]:
        """The implementations of a hook as (plugin name, function, argument names).

        Limited to ``plugins`` when given; ordered by plugin load order. Filtering is
        done on the registered plugin name, not on pluggy's attribute lookup, so
        ``specname=`` implementations are found too.
        """
        caller = getattr(self.pm.hook, hook_name, None)
        if caller is None:
            return []
        wanted = set(plugins) if plugins is not None else None
        order = list(self.plugins)
        impls = [
            (impl.plugin_name, impl.function, tuple(impl.argnames))
            for impl in caller.get_hookimpls()
            if wanted is None or impl.plugin_name in wanted
        ]
        return sorted(impls, key=lambda item: _index(order, item[0]))

    def call_each(
        self, hook_name: str, plugins: Iterable[str] | None = None, /, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call every implementation separately; returns (plugin name, result) pairs.

        Used where the host must know who answered (blueprints, commands) or must
        limit the call to some plugins (department scoping). ``None`` results are kept.
        """
        results = []
        for name, function, argnames in self.implementations(hook_name, plugins):
            results.append((name, function(**{a: kwargs[a] for a in argnames})))
        return results


def _index(order: list[Any], item: Any) -> int:
    try:
        return order.index(item)
    except ValueError:
        return len(order)
