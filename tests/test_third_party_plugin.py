"""A plugin shipped as its own distribution goes through the whole life of a plugin."""

from __future__ import annotations

import json
import zipfile

import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.db import Database
from crm_host.core.models import Customer, PluginInstallation
from crm_host.domain.directory import create_user
from crm_host.testing import build_app, login, prepare_database

DEPARTMENTS = {"sales": ("Sales", []), "service": ("Service Centre", [])}


def run(app, *args):
    result = app.test_cli_runner().invoke(crm, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_listed_installed_gated_and_uninstalled(example_distribution, crm_databases, tmp_path):
    url = crm_databases.create("thirdparty")
    prepare_database(url, [], DEPARTMENTS)
    app = build_app(url, tmp_path)

    listing = run(app, "plugins", "list")
    example_line = next(line for line in listing.splitlines() if line.startswith("example "))
    assert "1.0.0" in example_line and " no " in example_line

    output = run(app, "plugins", "install", "example")
    assert "Installed example." in output
    assert "Restart web and worker processes" in output
    assert "Enabled example for Sales." in run(app, "plugins", "enable", "example", "sales")

    database = Database(url)
    with database.session() as session:
        seller = create_user(
            session,
            username="seller",
            password="quiet-harbour-77",
            departments=["sales"],
            role="viewer",
        )
        agent = create_user(
            session, username="agent", password="quiet-harbour-77", departments=["service"]
        )
        customer = Customer(code="C1", kind="person", name="王芳")
        session.add(customer)
        session.flush()
        for title in ("first", "second"):
            note_id = session.execute(
                sa.text(
                    "INSERT INTO example_notes (customer_id, title) VALUES (:c, :t) RETURNING id"
                ),
                {"c": customer.id, "t": title},
            ).scalar_one()
            session.execute(
                sa.text("INSERT INTO example_note_lines (note_id, text) VALUES (:n, 'line')"),
                {"n": note_id},
            )

    # A restarted app loads the newly installed plugin.
    app = build_app(url, tmp_path)
    allowed = login(app.test_client(), seller).get("/api/v1/example/notes")
    assert allowed.status_code == 200, allowed.json
    assert allowed.json == {"notes": 2}
    refused = login(app.test_client(), agent).get("/api/v1/example/notes")
    assert refused.status_code == 403
    assert refused.json["plugin"] == "example"
    assert "example" in refused.json["message"] and "Sales" in refused.json["message"]
    assert "Service Centre" in refused.json["message"]
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert "/api/v1/example/notes" in spec["paths"]
    # The plugin's schemas carry its prefix in the document.
    assert "ExampleNoteCount" in spec["components"]["schemas"]

    plan = run(app, "plugins", "uninstall", "example", "--dry-run")
    assert "example_notes: 2 row(s)" in plan
    assert "example_note_lines: 2 row(s)" in plan
    assert "and disable it for: Sales" in plan
    assert "Dry run: nothing was changed." in plan
    with database.engine.connect() as connection:
        assert sa.inspect(connection).has_table("example_notes")

    archive = tmp_path / "example.zip"
    output = run(app, "plugins", "uninstall", "example", "--yes", "--archive", str(archive))
    assert "Uninstalled example." in output
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["tables"] == {"example_note_lines": 2, "example_notes": 2}
        notes = [json.loads(line) for line in zf.read("tables/example_notes.jsonl").splitlines()]
        assert sorted(n["title"] for n in notes) == ["first", "second"]
    with database.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert not inspector.has_table("example_notes")
        assert not inspector.has_table("example_note_lines")
        assert connection.scalar(sa.select(sa.func.count()).select_from(PluginInstallation)) == 0
        assert connection.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1

    # The host keeps working, and the plugin's routes are gone after the restart.
    app = build_app(url, tmp_path)
    client = login(app.test_client(), seller)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.get("/api/v1/example/notes").status_code == 404
    assert "example " in run(app, "plugins", "list")
    database.dispose()
