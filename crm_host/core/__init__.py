"""The host's base: the database, errors, the company clock, the models and what they are
built of (versions, encrypted sensitive fields), permission scopes, the object registry,
the host object, migrations and paging."""
