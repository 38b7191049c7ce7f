"""Marshmallow schemas of the loyalty API, one module per feature; the host names them
with the plugin's prefix."""
