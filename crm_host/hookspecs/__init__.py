"""The hooks of the host: the whole contract between crm-host and its plugins.

Every hook is named ``crm_*`` and takes keyword arguments only. Hooks only ever
gain arguments; a hook is deprecated, never deleted. Each docstring says when the
hook is called, what it returns, and whether it is *first-result* (the first
non-``None`` answer wins) or *collecting* (every answer is gathered).

Kinds, and what happens when an implementation fails:

* registration — called at start-up; a bad or duplicate contribution stops start-up
  with a message naming the plugin;
* shown to users — called per request for the plugins enabled for the union of the
  user's departments only;
* guards and participants — called inside the transaction of a write, with lists;
  raising aborts the write;
* events — written to the outbox with the change, delivered after commit to each
  implementation separately.
"""

# The host registers this package as one namespace (``pm.add_hookspecs(hookspecs)``):
# every spec is re-exported here, so where a hook is defined does not matter to pluggy,
# to plugins, or to the generated reference.
from crm_host.hookspecs.console import (
    crm_customer_panels,
    crm_dashboard_kpis,
    crm_menu_items,
)
from crm_host.hookspecs.customers import (
    crm_customer_erasing,
    crm_customers_merging,
    crm_validate_customers,
)
from crm_host.hookspecs.events import (
    crm_customer_erased,
    crm_customer_merged,
    crm_customer_stage_changed,
    crm_customers_created,
    crm_customers_imported,
    crm_customers_updated,
    crm_event_about_customers,
)
from crm_host.hookspecs.lifecycle import (
    crm_addhooks,
    crm_startup,
)
from crm_host.hookspecs.marker import hookspec
from crm_host.hookspecs.privacy import (
    crm_customer_export,
)
from crm_host.hookspecs.registration import (
    crm_register_benchmarks,
    crm_register_blueprints,
    crm_register_commands,
    crm_register_importers,
    crm_register_jobs,
    crm_register_link_handlers,
    crm_register_objects,
    crm_register_permissions,
    crm_seed_demo,
    crm_segment_criteria,
    crm_transaction_sources,
)

__all__ = [
    "crm_addhooks",
    "crm_customer_erased",
    "crm_customer_erasing",
    "crm_customer_export",
    "crm_customer_merged",
    "crm_customer_panels",
    "crm_customer_stage_changed",
    "crm_customers_created",
    "crm_customers_imported",
    "crm_customers_merging",
    "crm_customers_updated",
    "crm_dashboard_kpis",
    "crm_event_about_customers",
    "crm_menu_items",
    "crm_register_benchmarks",
    "crm_register_blueprints",
    "crm_register_commands",
    "crm_register_importers",
    "crm_register_jobs",
    "crm_register_link_handlers",
    "crm_register_objects",
    "crm_register_permissions",
    "crm_seed_demo",
    "crm_segment_criteria",
    "crm_startup",
    "crm_transaction_sources",
    "crm_validate_customers",
    "hookspec",
]
