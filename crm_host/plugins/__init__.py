"""The plugin contract's machinery: manifests, discovery, ordering and loading."""

from crm_host.plugins.manifest import Manifest, PluginError
from crm_host.plugins.manager import (
    PluginManager,
    Plugin,
    discover,
    hookimpl,
    hookspec,
    order_plugins,
)

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
