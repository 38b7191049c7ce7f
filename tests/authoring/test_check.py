"""`crm plugins check`: one readable sentence per breach of the contract, exit status 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crm_host import hookspecs
from crm_host.authoring.check import (
    CheckError,
    check_plugin,
    checked_permissions,
    manifest_findings,
    run_checks,
)
from crm_host.authoring.hookcheck import DEPARTMENT_SCOPED_HOOKS
from crm_host.authoring.sdkimports import sdk_import_warnings
from crm_host.cli.main import cli as crm
from crm_host.plugins.facade import Manifest
from crm_host.plugins.manager import Discovery


def test_an_unknown_hook_is_named(fixture_plugins):
    assert check_plugin("crm_fx_unknown") == [
        "plugin fx_unknown implements crm_no_such_hook, a hook that neither the host nor a "
        "plugin it requires or uses defines: the host refuses to start with it installed "
        "(check the spelling, or add the plugin that publishes it to `uses` and mark the "
        "implementation optionalhook=True)"
    ]


def test_a_route_mounted_around_the_host_is_named(fixture_plugins):
    assert check_plugin("crm_fx_around") == [
        "plugin fx_around's route /fxaround/backdoor (endpoint fxaround_backdoor.backdoor) is "
        "registered on the application directly, not returned from crm_register_blueprints: "
        "the host did not mount it, so no department gate guards it"
    ]


def test_a_migration_that_does_not_downgrade_is_named(fixture_plugins):
    assert check_plugin("crm_fx_baddown") == [
        "plugin fx_baddown's migrations do not downgrade (fxbad@base with a row in each "
        "table): boxes cannot be removed"
    ]


def test_smaller_breaches_of_the_hook_contract_are_each_named(fixture_plugins):
    assert check_plugin("crm_fx_sloppy") == [
        "plugin fx_sloppy implements crm_customers_created with argument(s) customers, which "
        "the hookspec does not pass (it passes customer_ids)",
        "plugin fx_sloppy implements the department-scoped hook crm_menu_items through "
        "specname= (function extra_menu): implement it under its own name, so that limiting "
        "it to the user's departments cannot miss it",
        "plugin fx_sloppy defines crm_customer_export without @hookimpl, so the host never "
        "calls it",
    ]


def test_unguarded_routes_and_undeclared_permissions_are_named(fixture_plugins):
    assert check_plugin("crm_fx_unguarded") == [
        "plugin fx_unguarded's API route GET /api/v1/fxunguarded/loose checks no permission: "
        "decorate it with crm_host.sdk.require (or signed_in, or public)",
        "plugin fx_unguarded checks permission fxunguarded.things.read (GET "
        "/api/v1/fxunguarded/things), which is not declared: return it from "
        "crm_register_permissions",
    ]


def test_tables_without_the_slug_and_unexported_customer_rows_are_named(fixture_plugins):
    assert check_plugin("crm_fx_badtable") == [
        "plugin fx_badtable's migrations create table boxes, whose name does not start with "
        "its slug (fxbt_), so the host does not count it as the plugin's (uninstall lists and "
        "archives tables by that prefix)",
        "plugin fx_badtable keeps rows about customers (fxbt_cards) but does not implement "
        "crm_customer_export: a subject-access export would miss what it holds",
        "plugin fx_badtable keeps rows about customers (fxbt_cards) but does not implement "
        "crm_customers_merging: merging customers is refused while its rows point at the "
        "merged one",
    ]


def test_the_manifest_host_range_and_requirements_are_checked():
    def manifest(name, **kwargs):
        return Manifest(name=name, slug=name, label=name, version="1.0", **kwargs)

    manifests = {
        "future": manifest("future", host=">=2", requires=("absent",)),
        "alpha": manifest("alpha", requires=("beta",)),
        "beta": manifest("beta", requires=("alpha",)),
    }
    discovery = Discovery(manifests, {}, {})
    assert manifest_findings(manifests["future"], discovery) == [
        "plugin future 1.0 supports host >=2, but this host is crm-host 0.1.0",
        "plugin future requires plugin absent, which is not present",
    ]
    [circle] = manifest_findings(manifests["alpha"], discovery)
    assert circle.startswith("plugins require each other in a circle: ")


def test_hooks_of_used_plugins_must_be_optional_and_used_plugins_present(fixture_plugins):
    # fx_optional marks its fx_publisher hook optional; fx_publisher is not registered here.
    assert check_plugin("crm_fx_optional") == [
        "plugin fx_optional uses plugin fx_publisher, which is not present, so its "
        "implementations of fx_publisher's hooks cannot be checked"
    ]


def test_a_plugin_keeping_customer_rows_must_export_and_merge_them(example_distribution):
    findings = check_plugin("example")
    assert findings == [
        "plugin example keeps rows about customers (example_notes) but does not implement "
        "crm_customer_export: a subject-access export would miss what it holds",
        "plugin example keeps rows about customers (example_notes) but does not implement "
        "crm_customers_merging: merging customers is refused while its rows point at the "
        "merged one",
    ]


def test_a_finished_built_in_plugin_passes_by_name_or_by_package():
    assert check_plugin("sales") == []
    assert run_checks("crm_sales", database=False).plugin == "sales"


def test_a_clean_fixture_passes(fixture_plugins):
    assert check_plugin("crm_fx_scoped") == []


def test_an_unknown_name_is_refused():
    with pytest.raises(CheckError, match="no plugin named nothing_here is present"):
        check_plugin("nothing_here")


def test_the_command_prints_one_line_per_finding_and_fails(fixture_plugins):
    result = CliRunner().invoke(crm, ["plugins", "check", "crm_fx_around"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == check_plugin("crm_fx_around")
    passing = CliRunner().invoke(crm, ["plugins", "check", "crm_fx_scoped"])
    assert passing.exit_code == 0, passing.output
    assert passing.stdout.strip() == "fx_scoped: no findings."


def test_permissions_are_read_from_literal_calls(tmp_path):
    (tmp_path / "views.py").write_text(
        "require('x.a.read')\nauthorize(s, u, 'x.b.write')\ncan(s, u, NAME)\n"
    )
    assert checked_permissions(tmp_path) == {"x.a.read": "views.py:1", "x.b.write": "views.py:2"}


def test_the_department_scoped_hooks_are_hookspecs():
    assert all(hasattr(hookspecs, name) for name in DEPARTMENT_SCOPED_HOOKS)


def test_host_imports_outside_the_sdk_are_listed_with_their_replacement(tmp_path):
    package = tmp_path / "crm_old"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from crm_host.plugins import Manifest\n"
        "from crm_host.sdk import get_host\n"
        "def f():\n"
        "    from crm_host.company_time import DEFAULT\n"
        "    from crm_host.auth import LoginUser\n"
        "import crm_host.models\n"
    )
    (package / "migrations" / "m1.py").write_text("from crm_host.db import UTCDateTime, utcnow\n")
    assert sdk_import_warnings(package) == [
        "crm_old/__init__.py:1 imports crm_host.plugins.Manifest outside the SDK: "
        "use from crm_host.sdk import Manifest",
        "crm_old/__init__.py:4 imports crm_host.company_time.DEFAULT outside the SDK: "
        "use from crm_host.sdk import DEFAULT_TIMEZONE as DEFAULT",
        "crm_old/__init__.py:5 imports crm_host.auth.LoginUser outside the SDK: "
        "it is not in the SDK; do without it",
        "crm_old/__init__.py:6 imports crm_host.models outside the SDK: "
        "import what it uses from crm_host.sdk",
        "crm_old/migrations/m1.py:1 imports crm_host.db.UTCDateTime outside the SDK: "
        "use from crm_host.sdk.migrations import UTCDateTime",
        "crm_old/migrations/m1.py:1 imports crm_host.db.utcnow outside the SDK: "
        "use from crm_host.sdk import utcnow",
    ]


def test_imports_outside_the_sdk_warn_without_failing_the_check(fixture_plugins):
    result = CliRunner().invoke(crm, ["plugins", "check", "crm_fx_scoped"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: crm_fx_scoped.py:5 imports crm_host.plugins.Manifest outside the SDK: "
        "use from crm_host.sdk import Manifest",
        "warning: crm_fx_scoped.py:5 imports crm_host.plugins.hookimpl outside the SDK: "
        "use from crm_host.sdk import hookimpl",
        "warning: crm_fx_scoped.py:6 imports crm_host.web.menu.MenuItem outside the SDK: "
        "use from crm_host.sdk.web import MenuItem",
        "warning: crm_fx_scoped.py:6 imports crm_host.web.menu.Panel outside the SDK: "
        "use from crm_host.sdk.web import Panel",
    ]
