"""The one Alembic environment of crm-host: the host's branch and one per plugin.

It is driven by :mod:`crm_host.core.migrate`, which opens the connection and the
transaction (and, on SQLite, switches foreign keys off around it); this file only
runs the migrations on that connection.
"""

from alembic import context

from crm_host.core.db import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("crm-host migrations run through `crm db …`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode recreates the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
