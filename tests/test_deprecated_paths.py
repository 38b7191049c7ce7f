"""Every host path a plugin could import before the SDK still imports, and each name
read through it is the object at its new home and warns once, naming its replacement."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest

import crm_host
from crm_host.deprecation import home_of

HOST = Path(crm_host.__file__).parent

#: What the plugins imported from the host before the SDK (module → names).
PLUGIN_ERA = {
    "crm_host.analytics": "sources transactions",
    "crm_host.api.fields": "Id MAX_ID Masked",
    "crm_host.api.pagination": "PageArgs fetch_page integer_key newest_first where_equal",
    "crm_host.attachments": "LocalStorage",
    "crm_host.audit": "jsonable",
    "crm_host.auth": "LoginUser",
    "crm_host.bench": "Databases Figure SIZES app_for baseline_library bulk_insert "
    "not_installed timer",
    "crm_host.bench.runs": "Databases all_benchmarks run",
    "crm_host.cli": "cli",
    "crm_host.cli.common": "fail",
    "crm_host.company_time": "DEFAULT company_timezone company_today",
    "crm_host.console.access": "allowed page",
    "crm_host.console.charts": "Chart chart_json",
    "crm_host.console.versions": "CONFLICT_STATUS check_form_version stale_form",
    "crm_host.customers": "children merge privacy service",
    "crm_host.customers.children": "add_child",
    "crm_host.customers.consent": "CHANNELS current_consents record_consent",
    "crm_host.customers.merge": "merge_customers remaining_references",
    "crm_host.customers.privacy": "erase_customer export_customer scrub_json_column",
    "crm_host.customers.rules": "PHONE_NOISE",
    "crm_host.customers.service": "AUDITED_FIELDS create_customer update_customer",
    "crm_host.db": "Base Database UTCDateTime utcnow",
    "crm_host.directory": "create_user",
    "crm_host.errors": "Conflict CrmError NotFound ValidationFailed",
    "crm_host.host": "get_host host_of",
    "crm_host.importing.customers": "BatchResult CustomerImporter Reject",
    "crm_host.importing.readers": "ImportFileError Record detect_format read_records",
    "crm_host.importing.registry": "ImporterRegistry",
    "crm_host.importing.results": "BatchResult Reject",
    "crm_host.links": "LinkError make_token read_token",
    "crm_host.migration_ops": "add_version_columns create_trigram_indexes "
    "drop_trigram_indexes drop_version_columns",
    "crm_host.models": "Attachment AuditLog Consent Contact Customer Department EmailMessage "
    "Interaction Job LifecycleStage Membership Notification OutboxEvent PluginEnablement "
    "Role RolePermission SlaClock Tag User",
    "crm_host.models.customers": "LifecycleStage customer_tags",
    "crm_host.notifications": "notify queue_email queue_emails",
    "crm_host.objects": "ObjectRegistry where_rule",
    "crm_host.permissions": "Permission authorize can record_filter require scope_of",
    "crm_host.plugins": "Manifest PluginError discover hookimpl hookspec order_plugins",
    "crm_host.plugins.registering": "PluginRegistry",
    "crm_host.runtime": "Batch CustomerEvent JobContext JobRegistry customer_events emit "
    "enqueue event_label get_runtime",
    "crm_host.runtime.runner": "Runner",
    "crm_host.segments": "Build Criterion CriterionError Grouped NO_VALUE OPERATORS compare "
    "grouped_members text_field text_values whole_days",
    "crm_host.sensitive": "blind_phones mask may_reveal shown",
    "crm_host.sla": "BusinessCalendar ClockStatus store",
    "crm_host.sla.store": "save_calendar",
    "crm_host.text": "normalize_phone",
    "crm_host.tokens": "create_token",
    "crm_host.versioning": "Versioned bump_version",
    "crm_host.web.etags": "check_if_match documents_etag documents_if_match send_etag",
    "crm_host.web.limits": "accepts_body",
    "crm_host.web.menu": "MenuItem Panel",
    "crm_host.web.scoped": "kpis_for menu_for panels_for",
}
#: ``from crm_host import <module>`` in the plugins before the SDK.
PLUGIN_ERA_MODULES = "analytics attachments audit lifecycle migrate notifications timeline"


def shims() -> list[str]:
    """Every shim module under crm_host, by module name."""
    found = []
    for path in sorted(HOST.rglob("*.py")):
        if "moved(__name__" in path.read_text(encoding="utf-8") and path.stem != "deprecation":
            parts = list(path.relative_to(HOST.parent).with_suffix("").parts)
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def read(module: object, name: str) -> tuple[object, list[warnings.WarningMessage]]:
    """``module.name`` and the warnings reading it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(module, name)
    return value, [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_every_plugin_era_path_is_a_shim():
    """Each module the plugins imported is a shim, so that its names warn."""
    found = set(shims())
    assert set(PLUGIN_ERA) <= found
    assert {f"crm_host.{m}" for m in PLUGIN_ERA_MODULES.split()} <= found


@pytest.mark.parametrize("old", shims())
def test_every_name_of_an_old_path_is_its_new_home_s_and_warns_once(old):
    """Every public name of the new home, read through the old path."""
    shim = importlib.import_module(old)
    home = importlib.import_module(home_of(shim))
    # A package's own submodules (crm_host.cli.directory) are not deprecated.
    names = [n for n in dir(home) if not n.startswith("_") and n not in vars(shim)]
    assert names and dir(shim) == sorted(set(dir(home)))
    for name in names:
        value, caught = read(shim, name)
        assert value is getattr(home, name), name
        assert len(caught) == 1, (name, [str(w.message) for w in caught])
        message = str(caught[0].message)
        assert message.startswith(f"{old}.{name} is deprecated; "), message
        assert "crm_host.sdk" in message or f"{home.__name__}.{name}" in message, message


@pytest.mark.parametrize("old", sorted(PLUGIN_ERA))
def test_plugin_era_imports_name_their_sdk_replacement(old):
    """``from <old> import <name>`` as a plugin wrote it: one warning, at the import."""
    for name in PLUGIN_ERA[old].split():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            namespace: dict[str, object] = {}
            exec(f"from {old} import {name}", namespace)
        deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
        if home_of(namespace[name]):
            # An old submodule (``from crm_host.sla import store``): its names warn.
            assert f"{old}.{name}" in shims() and not deprecations
            continue
        assert len(deprecations) == 1, (old, name, [str(w.message) for w in deprecations])
        message = str(deprecations[0].message)
        assert message.startswith(f"{old}.{name} is deprecated; "), message
        assert "import it from crm_host.sdk" in message or "not part of" in message, message


def test_the_warning_names_the_sdk_address():
    """The example from the deprecation notice, word for word."""
    from crm_host import audit
    from crm_host.sdk import audit as sdk_audit

    value, caught = read(audit, "record")
    assert value is sdk_audit.record
    assert [str(w.message) for w in caught] == [
        "crm_host.audit.record is deprecated; "
        "import it from crm_host.sdk (crm_host.sdk.audit.record)"
    ]
    _value, caught = read(importlib.import_module("crm_host.models"), "Customer")
    assert [str(w.message) for w in caught] == [
        "crm_host.models.Customer is deprecated; import it from crm_host.sdk (crm_host.sdk.Customer)"
    ]


def test_a_name_outside_the_sdk_names_its_new_home():
    """``crm_host.db.Database`` is not in the SDK: the warning says where it lives now."""
    _value, caught = read(importlib.import_module("crm_host.db"), "Database")
    assert [str(w.message) for w in caught] == [
        "crm_host.db.Database is deprecated; "
        "it is not part of crm_host.sdk; the host keeps it at crm_host.core.db.Database"
    ]


def test_an_unknown_name_is_an_attribute_error():
    """A shim does not invent names its new home lacks."""
    with pytest.raises(AttributeError, match="crm_host.errors"):
        importlib.import_module("crm_host.errors").NoSuchError  # noqa: B018
