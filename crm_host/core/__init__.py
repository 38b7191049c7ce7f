"""The host's base: the database, errors, the company clock, the models, the object registry,
the host object, migrations and paging."""
