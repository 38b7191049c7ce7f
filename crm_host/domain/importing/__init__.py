"""The importer framework: readers for CSV / JSON Lines / XLSX, batch validation, rejects.

The host's customer importer is built on it, and plugins register importers for
their own objects through ``crm_register_importers``.
"""
