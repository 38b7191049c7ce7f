"""``crm init``, the first command of a deployment, says why it refuses an admin password."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.models import User


@pytest.fixture
def init(committed_app):
    """Run ``crm init`` against a committed database (its migrations use their own connection)."""
    runner = committed_app.test_cli_runner()
    return lambda *args: runner.invoke(crm, ["init", *args], catch_exceptions=False)


def test_a_refused_admin_password_names_the_rule(init, committed_db):
    result = init("--admin-password", "walk-admin-pw-2026")
    assert result.exit_code == 1
    assert result.output == (
        "Error: the user is not valid\n  password: The password may not contain the user name.\n"
    )
    with committed_db.session() as session:
        assert session.scalar(sa.select(User).where(User.username == "admin")) is None


def test_init_creates_the_admin_once(init, committed_db):
    first = init("--admin-password", "correct-horse-battery-9")
    again = init("--admin-password", "correct-horse-battery-9")
    assert (first.exit_code, again.exit_code) == (0, 0)
    assert first.output.startswith("Database ready: ")
    with committed_db.session() as session:
        admins = session.scalars(sa.select(User).where(User.username == "admin")).all()
        assert [(u.username, u.is_admin) for u in admins] == [("admin", True)]


def test_a_refused_admin_password_creates_no_tables(tmp_path):
    from crm_host.app import create_app

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True}, instance_path=str(tmp_path))
    result = app.test_cli_runner().invoke(crm, ["init", "--admin-password", "short"])
    assert result.exit_code == 1
    assert result.output == "Error: the user is not valid\n  password: At least 8 characters.\n"
    engine = sa.create_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
