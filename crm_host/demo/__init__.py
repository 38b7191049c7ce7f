"""Deterministic demo data for trying crm-host without real customers."""
