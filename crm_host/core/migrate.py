"""Run the Alembic environment: by branch, on the versions of installed plugins only.

SQLite cannot alter most of a table, so batch migrations recreate it; with foreign
keys on, dropping the old table would silently delete every child row through its
cascades. Foreign keys are therefore switched off around a migration (this must be
done outside a transaction) and ``PRAGMA foreign_key_check`` runs before commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from crm_host.core.db import Database
from crm_host.plugins.manifest import Manifest

HOST_BRANCH = "host"
#: Indexes made by migrations only (expression indexes the models cannot describe):
#: name -> (table, the dialect that has it). ``crm db check`` looks for them by name.
EXPRESSION_INDEXES = {"ix_customers_name_grams": ("customers", "postgresql")}
INDEXES_OUTSIDE_MODELS = frozenset(EXPRESSION_INDEXES)
#: Global search's trigram indexes (PostgreSQL only) end so; ``crm db check`` asks the
#: object registry which of them should exist (:mod:`crm_host.core.objects.indexes`).
SEARCH_INDEX_SUFFIX = "_trgm"
MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


class MigrationError(Exception):
    """A migration could not run; nothing it did was kept."""


def alembic_config(plugins: Iterable[Manifest] = ()) -> Config:
    """An Alembic configuration whose version locations are the host's and ``plugins``'."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    locations += [str(m.migrations) for m in plugins if m.migrations is not None]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


@contextmanager
def migration_connection(db: Database) -> Iterator[Connection]:
    """A connection in one transaction, safe for SQLite batch migrations.

    Everything done on it commits together or not at all.
    """
    with db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        tables = sorted({row[0] for row in broken})
                        raise MigrationError(
                            "the migration left rows pointing at missing parents in "
                            + ", ".join(tables)
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def _run(
    db: Database,
    plugins: Iterable[Manifest],
    action: Callable[[Config], None],
    connection: Connection | None = None,
) -> None:
    config = alembic_config(plugins)
    if connection is not None:
        config.attributes["connection"] = connection
        action(config)
        return
    with migration_connection(db) as conn:
        config.attributes["connection"] = conn
        action(config)


def upgrade(
    db: Database,
    plugins: Iterable[Manifest],
    target: str = "heads",
    *,
    connection: Connection | None = None,
) -> None:
    """Upgrade to ``target`` (``heads``, ``host@head``, ``sales@head``…) in one transaction."""
    _run(db, plugins, lambda c: command.upgrade(c, target), connection)


def downgrade(
    db: Database,
    plugins: Iterable[Manifest],
    target: str,
    *,
    connection: Connection | None = None,
) -> None:
    """Downgrade to ``target``, which must name a branch (``sales@base``, ``host@-1``)."""
    if "@" not in target:
        raise MigrationError(
            f"downgrade target {target!r} must name a branch, e.g. host@-1 or sales@base"
        )

    def action(config: Config) -> None:
        _refuse_collateral_downgrade(config, target)
        command.downgrade(config, target)

    _run(db, plugins, action, connection)


def _applied(script: ScriptDirectory, heads: Iterable[str]) -> list[str]:
    """Every applied revision, dependencies included, newest first per head."""
    seen: list[str] = []
    for head in heads:
        for rev in script.iterate_revisions(head, "base"):
            if rev.revision not in seen:
                seen.append(rev.revision)
    return seen


def _refuse_collateral_downgrade(config: Config, target: str) -> None:
    """Refuse a downgrade of one branch that would silently take other branches with it.

    Alembic downgrades whatever depends on the revisions it removes; a plugin branch
    whose first revision ``depends_on`` a host revision would lose its tables without
    the archive that ``crm plugins uninstall`` makes.
    """
    script = ScriptDirectory.from_config(config)
    connection = config.attributes["connection"]
    heads = MigrationContext.configure(connection).get_current_heads()
    applied = _applied(script, heads)
    branch, _, where = target.partition("@")
    # Newest first along the branch itself: the order of the version table's heads
    # (and so of `applied`) differs between databases.
    in_branch = [
        r.revision
        for r in script.iterate_revisions(f"{branch}@head", "base")
        if branch in r.branch_labels and r.revision in applied
    ]
    if where == "base":
        keep: set[str] = set()
    elif where.startswith("-") and where[1:].isdigit():
        keep = set(in_branch[int(where[1:]) :])
    else:
        keep = {r.revision for r in script.iterate_revisions(where, "base")}
    removed = set(in_branch) - keep
    affected: set[str] = set()
    for rev in applied:
        if rev in in_branch:
            continue
        ancestors = {r.revision for r in script.iterate_revisions(rev, "base")}
        if ancestors & removed:
            affected |= set(script.get_revision(rev).branch_labels) - {branch}
    if affected:
        raise MigrationError(
            f"downgrading {target} would also downgrade {', '.join(sorted(affected))}, "
            "which depend on it; downgrade or uninstall those first"
        )


@dataclass(frozen=True)
class BranchState:
    """Where one branch stands: its current revision and its head."""

    branch: str
    current: str | None
    head: str

    @property
    def pending(self) -> bool:
        """Whether migrations of this branch are waiting to run."""
        return self.current != self.head


def branch_states(db: Database, plugins: Iterable[Manifest]) -> list[BranchState]:
    """The current revision and head of the host's branch and of each plugin's."""
    plugins = list(plugins)
    script = ScriptDirectory.from_config(alembic_config(plugins))
    with db.engine.connect() as connection:
        # A plugin's head that depends on a host revision hides it from the version
        # table, so the applied set is walked rather than read.
        applied = set(_applied(script, MigrationContext.configure(connection).get_current_heads()))
    states = []
    for branch in [HOST_BRANCH] + [m.branch for m in plugins if m.migrations is not None]:
        head = script.get_revision(f"{branch}@head")
        current = next(
            (
                r.revision
                for r in script.iterate_revisions(f"{branch}@head", "base")
                if branch in r.branch_labels and r.revision in applied
            ),
            None,
        )
        states.append(BranchState(branch, current, head.revision if head else ""))
    return states


def schema_drift(db: Database, absent_prefixes: Iterable[str] = ()) -> list[str]:
    """Differences between the models and the database, in words (empty when in step).

    Tables of plugins that are present but not installed (``absent_prefixes``) are
    not expected in the database.
    """
    from alembic.autogenerate import compare_metadata

    from crm_host.core.db import Base

    prefixes = tuple(absent_prefixes)

    def include(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        if (
            type_ == "index"
            and name
            and (name in INDEXES_OUTSIDE_MODELS or name.endswith(SEARCH_INDEX_SUFFIX))
        ):
            return False
        return not (type_ == "table" and not reflected and name and name.startswith(prefixes))

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        differences = compare_metadata(context, Base.metadata)
        missing = _missing_expression_indexes(connection)
    return [_describe(d) for d in differences] + missing


def _missing_expression_indexes(connection: Connection) -> list[str]:
    """The indexes of :data:`EXPRESSION_INDEXES` this database should have and lacks."""
    dialect = connection.dialect.name
    present = set()
    if dialect == "postgresql":
        present = set(
            connection.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            ).scalars()
        )
    return [
        f"missing index {name} on {table}"
        for name, (table, only_on) in sorted(EXPRESSION_INDEXES.items())
        if only_on == dialect and name not in present
    ]


def _describe(difference: object) -> str:
    if isinstance(difference, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in difference)
    if difference[0].startswith("modify_"):  # (action, schema, table, column, …, old, new)
        action, _schema, table, column, *_rest, old, new = difference  # type: ignore[misc]
        return (
            f"{action.removeprefix('modify_')} of {table}.{column} is {old}, the models say {new}"
        )
    action, *rest = difference  # type: ignore[misc]
    target = rest[0]
    name = getattr(target, "name", None) or str(target)
    table = getattr(getattr(target, "table", None), "name", "")
    where = f" on {table}" if table and table != name else ""
    words = {
        "add_table": "missing table",
        "remove_table": "table not in the models",
        "add_index": "missing index",
        "remove_index": "index not in the models",
        "add_column": "missing column",
        "remove_column": "column not in the models",
        "add_constraint": "missing constraint",
        "remove_constraint": "constraint not in the models",
        "add_fk": "missing foreign key",
        "remove_fk": "foreign key not in the models",
    }
    return f"{words.get(action, action)} {name}{where}"
