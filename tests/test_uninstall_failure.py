"""A failing uninstall leaves the database exactly as it was: tables, rows, installation."""

from __future__ import annotations

import importlib

import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.db import Database
from crm_host.core.models import PluginInstallation
from crm_host.plugins.manager import Discovery, _fill_defaults
from crm_host.testing import build_app, prepare_database


def test_uninstall_that_fails_changes_nothing(monkeypatch, crm_databases, tmp_path):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fixtures" / "plugins"))
    module = importlib.import_module("crm_fx_baddown")
    discovery = Discovery({"fx_baddown": _fill_defaults(module.manifest, module)}, {}, {})
    monkeypatch.setattr("crm_host.app.discover", lambda: discovery)
    url = crm_databases.create("baddown")
    prepare_database(url, [], {"sales": ("Sales", [])})
    app = build_app(url, tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(crm, ["plugins", "install", "fx_baddown"]).exit_code == 0
    assert runner.invoke(crm, ["plugins", "enable", "fx_baddown", "sales"]).exit_code == 0
    database = Database(url)
    with database.session() as session:
        session.execute(sa.text("INSERT INTO fxbad_boxes (id) VALUES (1), (2)"))

    archive = tmp_path / "fxbad.zip"
    result = runner.invoke(
        crm, ["plugins", "uninstall", "fx_baddown", "--yes", "--archive", str(archive)]
    )
    assert result.exit_code != 0
    assert (
        "uninstall of fx_baddown failed and nothing was changed: boxes cannot be removed"
        in result.output
    )
    assert not archive.exists()
    with database.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert inspector.has_table("fxbad_boxes") and inspector.has_table("fxbad_lids")
        assert connection.scalar(sa.text("SELECT count(*) FROM fxbad_boxes")) == 2
        assert connection.scalar(sa.select(PluginInstallation.name)) == "fx_baddown"
    listing = runner.invoke(crm, ["plugins", "list"]).output
    assert "Sales" in next(line for line in listing.splitlines() if line.startswith("fx_baddown"))
    database.dispose()
