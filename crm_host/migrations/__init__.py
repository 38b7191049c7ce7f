"""The Alembic environment of crm-host (run through `crm db …`)."""
