"""The one way a status is stored: a string with a CHECK, put on by a migration helper."""

from __future__ import annotations

import enum

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from crm_host.core.db import Base, status_type
from crm_host.core.migration_ops import replace_status_check


class Colour(enum.StrEnum):
    RED = "red"
    GREEN = "green"


def test_a_status_column_refuses_a_value_outside_its_members(crm_databases):
    metadata = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    paints = sa.Table(
        "paints",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", status_type(Colour)),
    )
    engine = sa.create_engine(crm_databases.create("status_type"))
    metadata.create_all(engine)
    checks = sa.inspect(engine).get_check_constraints("paints")
    assert [check["name"] for check in checks] == ["ck_paints_status"]
    with engine.begin() as connection:
        connection.execute(paints.insert().values(status=Colour.RED))
        assert connection.execute(sa.select(paints.c.status)).scalar() == Colour.RED
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO paints (id, status) VALUES (9, 'blue')"))
    engine.dispose()


def test_the_migration_helper_puts_and_replaces_the_check(crm_databases):
    engine = sa.create_engine(crm_databases.create("status_check"))
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE paints (id INTEGER PRIMARY KEY, status VARCHAR(16))")
        )
        operations = Operations(MigrationContext.configure(connection))
        with Operations.context(operations.migration_context):
            replace_status_check("paints", "status", ["red", "green"])
            connection.execute(sa.text("INSERT INTO paints (id, status) VALUES (1, 'green')"))
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.execute(sa.text("INSERT INTO paints (id, status) VALUES (2, 'blue')"))
            # A later migration adds a value: the one CHECK is replaced, rows kept.
            replace_status_check("paints", "status", ["red", "green", "blue"])
            connection.execute(sa.text("INSERT INTO paints (id, status) VALUES (3, 'blue')"))
        names = [check["name"] for check in sa.inspect(connection).get_check_constraints("paints")]
        assert names == ["ck_paints_status"]
        assert connection.execute(sa.text("SELECT count(*) FROM paints")).scalar() == 2
    engine.dispose()
