"""The plugin contract's machinery: manifests, discovery, ordering and loading."""

from crm_host.plugins.manager import (
    Plugin,
    PluginManager,
    discover,
    hookimpl,
    hookspec,
    order_plugins,
)
from crm_host.plugins.manifest import Manifest, PluginError

__all__ = [
    "Manifest",
    "Plugin",
    "PluginError",
    "PluginManager",
    "discover",
    "hookimpl",
    "hookspec",
    "order_plugins",
]
