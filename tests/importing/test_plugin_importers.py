"""A plugin's importer runs on the host's framework: reading, batches, rejects, resuming."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.models import Tag
from crm_host.domain.importing.registry import ImporterRegistry
from crm_host.plugins.facade import PluginError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "plugins"


@pytest.mark.hookspec("crm_register_importers")
def test_crm_import_runs_a_plugin_importer(committed_app, committed_db, monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(FIXTURES))
    module = importlib.import_module("crm_fx_importer")
    plugins = committed_app.extensions["crm"].plugins
    plugins.pm.register(module, name="fx_importer")
    plugins.plugins["fx_importer"] = type(next(iter(plugins.plugins.values())))(module.manifest)
    try:
        source = tmp_path / "tags.csv"
        source.write_text("name\nvip\n  \n重点客户\n\nvip\n", encoding="utf-8")
        runner = committed_app.test_cli_runner()
        result = runner.invoke(crm, ["import", "fximp.tags", str(source)])
        assert result.exit_code == 0, result.output
        assert "2 created, 0 updated, 1 unchanged, 1 rejected" in result.output
        assert (tmp_path / "tags.csv.rejects.csv").read_text(encoding="utf-8-sig").splitlines()[
            1
        ] == "3,name: Required.,  "
        with committed_db.engine.connect() as connection:
            assert sorted(connection.scalars(sa.select(Tag.name))) == ["vip", "重点客户"]
        bad = tmp_path / "bad.csv"
        bad.write_text("label\nx\n")
        refused = runner.invoke(crm, ["import", "fximp.tags", str(bad)])
        assert refused.exit_code != 0
        unknown = runner.invoke(crm, ["import", "nobody.things", str(source)])
        # The built-ins register importers of their own; the list names every one.
        assert "no importer named nobody.things (available: customers, fximp.tags" in unknown.output
    finally:
        plugins.pm.unregister(name="fx_importer")
        plugins.plugins.pop("fx_importer", None)


def test_registry_refuses_bad_importers():
    registry = ImporterRegistry()
    registry._plugin, registry._slug = "fx", "fx"
    with pytest.raises(PluginError, match="plugin fx: importer things has no import_batch"):
        registry.add("things", object)
    with pytest.raises(PluginError, match="must be lower-case"):
        registry.add("Bad Name", object)
