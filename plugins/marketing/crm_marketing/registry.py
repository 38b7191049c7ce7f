"""The segment criteria of every installed plugin, collected through the host's hook."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from crm_host.sdk import PluginError, host_of
from crm_host.sdk.customers import OPERATORS, Criterion

HOOK = "crm_segment_criteria"


def criteria_of(session: Session) -> dict[str, Criterion]:
    """Criteria by name, from every installed plugin (marketing's own included).

    A contribution that is not a :class:`Criterion`, has an unknown kind or reuses a
    name is refused with a message naming the plugin.
    """
    host = host_of(session)
    implementations = host.plugins.implementations(HOOK)
    # Cached per set of contributors: a plugin registered later (tests do) is seen.
    key = tuple(name for name, _function, _args in implementations)
    cache = host.__dict__.setdefault("_marketing_criteria", {})
    if key in cache:
        return cache[key]
    found: dict[str, Criterion] = {}
    for plugin, function, _args in implementations:
        result = function()
        for item in result or ():
            if not isinstance(item, Criterion) or item.kind not in OPERATORS:
                raise PluginError(f"plugin {plugin}: {item!r} is not a segment Criterion")
            if item.name in found:
                raise PluginError(
                    f"plugin {plugin}: segment criterion {item.name} is offered by "
                    f"{found[item.name].plugin} already"
                )
            found[item.name] = replace(item, plugin=plugin)
    cache.clear()
    cache[key] = found
    return found
