"""A backup restores into an empty database — of the same or the other kind — row for row."""

from __future__ import annotations

import zipfile

import pytest
import sqlalchemy as sa

from crm_host.backup import BackupError, backup, restore
from crm_host.core.db import Database
from crm_host.domain.customers import children, service
from crm_host.plugins.facade import discover
from crm_host.records import timeline
from crm_host.testing import prepare_database
from crm_host.testing.databases import TestDatabases


def seed(database):
    with database.session() as session:
        parent = service.create_customer(
            session, {"code": "O1", "name": "恒力集团", "kind": "organization"}
        )
        # A child whose parent has a higher id: the self-reference must survive restore order.
        child = service.create_customer(
            session,
            {
                "code": "O0",
                "name": "恒力分公司",
                "kind": "organization",
                "tags": ["vip"],
                "departments": ["sales"],
            },
        )
        late_parent = service.create_customer(
            session, {"code": "O2", "name": "后来的总部", "kind": "organization"}
        )
        service.update_customer(session, child, {"parent_id": late_parent.id})
        children.add_child(session, "contact", parent, {"name": "李娜", "email": "li@example.cn"})
        timeline.add_entry(session, customer_id=parent.id, channel="visit", subject="拜访")


def table_counts(database):
    with database.engine.connect() as connection:
        return {
            t: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(t)))
            for t in sa.inspect(connection).get_table_names()
            if t != "alembic_version"
        }


def make_source(url, app):
    prepare_database(url, ["sales", "service"], {"sales": ("Sales", ["sales"])})
    database = Database(url)
    # Sessions of this second database find the app's host and runtime, as the app's own do.
    database.info.update(app.extensions["crm"].db.info)
    seed(database)
    return database


@pytest.fixture
def source(crm_databases, app):
    database = make_source(crm_databases.create("backup_src"), app)
    yield database
    database.dispose()


def round_trip(source, target_url, tmp_path):
    attachments = tmp_path / "attachments"
    (attachments / "ab").mkdir(parents=True)
    (attachments / "ab" / "abcdef").write_bytes(b"%PDF-1.7 report")
    file = tmp_path / "backup.zip"
    report = backup(source, file, attachments)
    assert report.attachments == 1 and report.tables["customers"] == 3

    target = Database(target_url)
    restored_files = tmp_path / "restored"
    restored = restore(target, file, discover(), restored_files)
    assert restored.tables == report.tables
    assert table_counts(target) == table_counts(source)
    with target.engine.connect() as connection:
        child = connection.execute(
            sa.text(
                "SELECT c.name, p.code FROM customers c JOIN customers p ON p.id = c.parent_id "
                "WHERE c.code = 'O0'"
            )
        ).one()
        assert tuple(child) == ("恒力分公司", "O2")
    assert (restored_files / "ab" / "abcdef").read_bytes() == b"%PDF-1.7 report"
    # New rows get fresh ids after the restored ones (sequences were moved on PostgreSQL).
    with target.session() as session:
        session.info.update(source.info)
        new = service.create_customer(session, {"code": "NEW", "name": "新客户", "kind": "person"})
        assert new.id > 3
    with pytest.raises(BackupError, match="needs an empty database"):
        restore(target, file, discover(), restored_files)
    target.dispose()


def test_round_trip_on_the_same_kind_of_database(source, crm_databases, tmp_path):
    round_trip(source, crm_databases.create("backup_dst"), tmp_path)


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_round_trip_across_kinds(direction, crm_databases, app, tmp_path):
    if crm_databases.server is None:
        pytest.skip("needs PostgreSQL: set CRM_TEST_DATABASE_URL")
    sqlite = TestDatabases(tmp_path, None)
    if direction == "sqlite-to-postgresql":
        source, target = sqlite.create("src"), crm_databases.create("dst")
    else:
        source, target = crm_databases.create("src"), sqlite.create("dst")
    database = make_source(source, app)
    (tmp_path / direction).mkdir()
    round_trip(database, target, tmp_path / direction)
    database.dispose()


def test_a_damaged_backup_is_refused(crm_databases, tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("hello.txt", "not a backup")
    with pytest.raises(BackupError, match="manifest.json is missing"):
        restore(Database(crm_databases.create("empty")), bad, discover())
    (tmp_path / "junk.zip").write_bytes(b"junk")
    with pytest.raises(BackupError, match="cannot read"):
        restore(Database(crm_databases.create("empty2")), tmp_path / "junk.zip", discover())


def test_backup_and_restore_commands(app, cli, tmp_path):
    file = tmp_path / "cli.zip"
    result = cli("backup", str(file))
    assert result.exit_code == 0 and "Backed up" in result.output
    refused = cli("restore", str(file))
    assert refused.exit_code != 0 and "needs an empty database" in refused.output
