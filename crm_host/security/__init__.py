"""Who may do what: sign-in, passwords, API tokens, keys, sensitive fields, single
sign-on, throttling and permissions."""
