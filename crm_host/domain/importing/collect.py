"""Every importer there is: the host's customers importer and each loaded plugin's."""

from __future__ import annotations

from typing import Any

from crm_host.domain.importing.customers import CustomerImporter
from crm_host.domain.importing.registry import ImporterRegistry
from crm_host.plugins._registering import register_from_plugins


def collect_importers(plugins: Any) -> ImporterRegistry:
    """The host's importers and every loaded plugin's."""
    registry = ImporterRegistry()
    registry.add("customers", CustomerImporter, label="Customers")
    register_from_plugins(plugins, "crm_register_importers", registry)
    return registry
