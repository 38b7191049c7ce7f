"""Loading rules of the plugin contract: order, versions, unknown and optional hooks."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from crm_host.cli.main import cli as crm
from crm_host.plugins.facade import Manifest, PluginError, PluginManager, order_plugins
from crm_host.plugins.manager import Discovery, _fill_defaults
from crm_host.testing import build_app

FIXTURES = Path(__file__).parent / "fixtures" / "plugins"


@pytest.fixture
def fixture_plugins(monkeypatch):
    """Import fixture plugins by module name; returns a discovery of the ones asked for."""
    monkeypatch.syspath_prepend(str(FIXTURES))

    def make(*modules: str) -> Discovery:
        manifests = {}
        for module_name in modules:
            module = importlib.import_module(module_name)
            manifest = _fill_defaults(module.manifest, module)
            manifests[manifest.name] = manifest
        return Discovery(manifests, {n: "fixture" for n in manifests}, {})

    return make


def manifest(name: str, **kwargs) -> Manifest:
    return Manifest(name=name, slug=name.replace("_", ""), label=name, version="1.0", **kwargs)


def test_order_puts_requirements_and_used_plugins_first():
    manifests = {
        "alpha": manifest("alpha", requires=("beta",)),
        "beta": manifest("beta", uses=("gamma",)),
        "gamma": manifest("gamma"),
        "delta": manifest("delta", uses=("absent",)),
    }
    order = [m.name for m in order_plugins(manifests, ["alpha", "beta", "gamma", "delta"])]
    assert order.index("gamma") < order.index("beta") < order.index("alpha")
    assert order == ["delta", "gamma", "beta", "alpha"]  # stable: ready plugins by name


def test_missing_requirement_names_both_sides():
    manifests = {"alpha": manifest("alpha", requires=("beta",)), "beta": manifest("beta")}
    with pytest.raises(
        PluginError, match="plugin alpha requires plugin beta, which is not installed"
    ):
        order_plugins(manifests, ["alpha"])
    with pytest.raises(PluginError, match="plugin alpha requires plugin zz, which is not present"):
        order_plugins({"alpha": manifest("alpha", requires=("zz",))}, ["alpha"])


def test_circular_requirements_are_refused_naming_the_circle():
    manifests = {
        "alpha": manifest("alpha", requires=("beta",)),
        "beta": manifest("beta", requires=("alpha",)),
    }
    with pytest.raises(
        PluginError,
        match="require each other in a circle: (alpha → beta → alpha|beta → alpha → beta)",
    ):
        order_plugins(manifests, ["alpha", "beta"])


def test_circular_uses_only_order_and_do_not_fail():
    manifests = {
        "alpha": manifest("alpha", uses=("beta",)),
        "beta": manifest("beta", uses=("alpha",)),
    }
    assert {m.name for m in order_plugins(manifests, ["alpha", "beta"])} == {"alpha", "beta"}


def test_incompatible_host_version_names_both_versions():
    old = manifest("old", host=">=5,<6")
    with pytest.raises(
        PluginError, match=r"plugin old 1.0 supports host >=5,<6, but this host is crm-host 0\."
    ):
        PluginManager().load(Discovery({"old": old}, {}, {}), ["old"])


@pytest.mark.hookspec("crm_addhooks")
def test_unknown_hook_fails_start_up_naming_the_plugin(fixture_plugins):
    discovery = fixture_plugins("crm_fx_unknown")
    with pytest.raises(PluginError, match="plugin fx_unknown implements a hook") as info:
        PluginManager().load(discovery, ["fx_unknown"])
    assert "crm_no_such_hook" in str(info.value)


@pytest.mark.hookspec("crm_addhooks")
def test_optional_hook_of_an_absent_plugin_starts(fixture_plugins):
    discovery = fixture_plugins("crm_fx_optional", "crm_fx_publisher")
    manager = PluginManager()
    manager.load(discovery, ["fx_optional"])
    assert [p.name for p in manager.loaded] == ["fx_optional"]
    assert (
        not hasattr(manager.hook, "crm_fxpub_greeting") or not manager.hook.crm_fxpub_greeting.spec
    )


@pytest.mark.hookspec("crm_addhooks")
def test_optional_hook_is_called_when_its_plugin_is_present(fixture_plugins):
    discovery = fixture_plugins("crm_fx_optional", "crm_fx_publisher")
    manager = PluginManager()
    manager.load(discovery, ["fx_optional", "fx_publisher"])
    assert [p.name for p in manager.loaded] == ["fx_publisher", "fx_optional"]
    assert manager.hook.crm_fxpub_greeting(name="王芳") == "hello 王芳"


def test_a_plugins_own_hooks_must_carry_its_slug(fixture_plugins):
    discovery = fixture_plugins("crm_fx_misnamed")
    with pytest.raises(PluginError, match="must be named crm_fxmis_"):
        PluginManager().load(discovery, ["fx_misnamed"])


def test_invalid_manifests_are_refused():
    with pytest.raises(PluginError, match="slug 'api' is reserved"):
        Manifest(name="xx", slug="api", label="x", version="1")
    with pytest.raises(PluginError, match="version 'one' is invalid"):
        Manifest(name="xx", slug="xx", label="x", version="one")
    with pytest.raises(PluginError, match="host version range"):
        Manifest(name="xx", slug="xx", label="x", version="1", host="around 1")


def test_app_start_fails_on_a_broken_plugin_but_the_cli_still_works(
    fixture_plugins, monkeypatch, crm_databases, tmp_path
):
    from crm_host import app as app_module
    from crm_host.domain import lifecycle
    from crm_host.testing import prepare_database

    discovery = fixture_plugins("crm_fx_unknown")
    url = crm_databases.create("broken")
    prepare_database(url, [], {})
    monkeypatch.setattr(app_module, "discover", lambda: discovery)
    app = build_app(url, tmp_path)
    lifecycle.install(app.extensions["crm"].db, discovery, "fx_unknown")

    with pytest.raises(PluginError, match="fx_unknown"):
        build_app(url, tmp_path)

    safe = app_module.create_app(
        {"DATABASE_URL": url.render_as_string(hide_password=False), "SECRET_KEY": "x"},
        safe_mode=True,
        instance_path=str(tmp_path / "instance"),
    )
    runner = safe.test_cli_runner()
    listing = runner.invoke(crm, ["plugins", "list"])
    assert listing.exit_code == 0
    assert "fx_unknown" in listing.output
    assert "plugins not loaded" in listing.output
    served = runner.invoke(crm, ["serve"])
    assert served.exit_code != 0
    assert "cannot start" in served.output and "fx_unknown" in served.output
