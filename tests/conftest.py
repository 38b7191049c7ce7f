"""Host tests use the same pytest plugin (crm_host.testing) a third-party plugin would."""
