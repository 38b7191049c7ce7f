"""Checks of a plugin's hook implementations against the hookspecs, without starting a host.

pluggy itself only refuses an implementation of a hook nobody defines, and only once
everything is loaded; these checks say more, earlier: which argument names do not
match, which hooks of plugins in ``uses`` lack ``optionalhook=True``, and which
department-scoped hooks are implemented under another name.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy

from crm_host import hookspecs
from crm_host.plugins.manager import PROJECT, Discovery
from crm_host.plugins.manifest import Manifest

#: Hooks whose calls the host limits to the plugins enabled for the user's departments.
#: ``specname=`` would let one function answer them under another attribute name; the
#: checker asks for the plain name so that the scoping is plain to read too.
DEPARTMENT_SCOPED_HOOKS = frozenset({"crm_menu_items", "crm_customer_panels", "crm_dashboard_kpis"})
_IMPL_MARK = f"{PROJECT}_impl"


@dataclass(frozen=True)
class Implementation:
    """One hook implementation of a plugin, as pluggy would see it."""

    attribute: str
    hook: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]
    optional: bool
    specname: str | None


def implementations(module: ModuleType) -> list[Implementation]:
    """The functions of ``module`` marked with ``@hookimpl``, by attribute name."""
    found = []
    for attribute, function in inspect.getmembers(module, callable):
        options = getattr(function, _IMPL_MARK, None)
        if not isinstance(options, dict):
            continue
        specname = options.get("specname")
        found.append(
            Implementation(
                attribute=attribute,
                hook=specname or attribute,
                function=function,
                argnames=_argnames(function),
                optional=bool(options.get("optionalhook")),
                specname=specname,
            )
        )
    return found


def _argnames(function: Callable[..., Any]) -> tuple[str, ...]:
    # As pluggy counts them: the parameters without a default are what the hook passes.
    return tuple(
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )


def unmarked_hooks(module: ModuleType, known: Iterable[str]) -> list[str]:
    """Functions defined in ``module`` and named like a known hook, but not marked."""
    known = set(known)
    return sorted(
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name in known
        and function.__module__ == module.__name__
        and not hasattr(function, _IMPL_MARK)
    )


def hooks_module(manifest: Manifest) -> ModuleType | None:
    """The module holding a plugin's hook implementations, imported; ``None`` if it has none."""
    return importlib.import_module(manifest.hooks) if manifest.hooks else None


def spec_owners(manifest: Manifest, discovery: Discovery) -> tuple[pluggy.PluginManager, dict]:
    """A pluggy manager with the host's hookspecs and those the plugin may implement.

    Those are the hookspecs published (through ``crm_addhooks``) by the plugin itself
    and by the plugins in its ``requires`` and ``uses`` that are present. Returns the
    manager and hook name → ``"host"`` or the name of the plugin that publishes it.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    owners: dict[str, str] = dict.fromkeys(_spec_names(pm), "host")
    publishers = [*manifest.requires, *manifest.uses, manifest.name]
    for name in dict.fromkeys(publishers):
        other = manifest if name == manifest.name else discovery.manifests.get(name)
        if other is None:
            continue
        module = hooks_module(other)
        addhooks = getattr(module, "crm_addhooks", None)
        if addhooks is None or not hasattr(addhooks, _IMPL_MARK):
            continue
        addhooks(pm=pm)
        for hook in _spec_names(pm):
            owners.setdefault(hook, name)
    return pm, owners


def _spec_names(pm: pluggy.PluginManager) -> list[str]:
    return [name for name, caller in vars(pm.hook).items() if getattr(caller, "spec", None)]


def check_hooks(manifest: Manifest, discovery: Discovery) -> list[str]:
    """What is wrong with the plugin's hook implementations, one sentence each."""
    name = manifest.name
    try:
        module = hooks_module(manifest)
    except Exception as error:  # the checker reports what the host would fail on
        return [f"plugin {name}: its hook module {manifest.hooks} cannot be imported: {error}"]
    if module is None:
        return []
    try:
        pm, owners = spec_owners(manifest, discovery)
    except Exception as error:
        return [f"plugin {name}: adding hookspecs through crm_addhooks failed: {error}"]
    uses = set(manifest.uses)
    uses_slugs = {
        f"crm_{discovery.manifests[u].slug}_": u for u in uses if u in discovery.manifests
    }
    findings = []
    for impl in implementations(module):
        caller = getattr(pm.hook, impl.hook, None)
        spec = getattr(caller, "spec", None)
        label = impl.hook if impl.specname is None else f"{impl.hook} (as {impl.attribute})"
        if spec is None:
            if not impl.optional:
                findings.append(
                    f"plugin {name} implements {label}, a hook that neither the host nor a "
                    "plugin it requires or uses defines: the host refuses to start with it "
                    "installed (check the spelling, or add the plugin that publishes it to "
                    "`uses` and mark the implementation optionalhook=True)"
                )
            else:
                owner = next((u for p, u in uses_slugs.items() if impl.hook.startswith(p)), None)
                absent_uses = uses - set(discovery.manifests)
                # A hook of a `uses` plugin that is absent cannot be checked; that
                # plugin's absence is reported on its own.
                if owner is not None or not absent_uses:
                    who = (
                        f"plugin {owner} does not define it"
                        if owner
                        else "no plugin in its `uses` defines it"
                    )
                    findings.append(
                        f"plugin {name} implements {label} as an optional hook, but {who}, "
                        "so it is never called"
                    )
            continue
        owner = owners.get(impl.hook, "host")
        if owner in uses and not impl.optional:
            findings.append(
                f"plugin {name} implements {label}, a hook of plugin {owner}, which it only "
                f"uses: mark it @hookimpl(optionalhook=True) so that {name} still loads "
                f"where {owner} is not installed"
            )
        extra = [a for a in impl.argnames if a not in spec.argnames]
        if extra:
            findings.append(
                f"plugin {name} implements {label} with argument(s) {', '.join(extra)}, "
                f"which the hookspec does not pass (it passes {', '.join(spec.argnames) or 'none'})"
            )
        if impl.specname is not None and impl.hook in DEPARTMENT_SCOPED_HOOKS:
            findings.append(
                f"plugin {name} implements the department-scoped hook {impl.hook} through "
                f"specname= (function {impl.attribute}): implement it under its own name, "
                "so that limiting it to the user's departments cannot miss it"
            )
    for attribute in unmarked_hooks(module, owners):
        findings.append(
            f"plugin {name} defines {attribute} without @hookimpl, so the host never calls it"
        )
    return findings


def implemented_hooks(manifest: Manifest) -> set[str]:
    """The names of the hooks a plugin implements (empty when its module cannot load)."""
    try:
        module = hooks_module(manifest)
    except Exception:
        return set()
    return {impl.hook for impl in implementations(module)} if module else set()
