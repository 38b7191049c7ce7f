"""Schemas of the marketing API (types and limits; the rules live in the services),
one module per feature.

Named in the OpenAPI document with the plugin's prefix by the host.
"""
