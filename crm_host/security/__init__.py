"""Who may do what: sign-in, passwords, API tokens, keys, single sign-on, throttling and
permissions (the scopes they read are :mod:`crm_host.core.scopes`)."""
