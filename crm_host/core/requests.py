"""Which requests are the REST API's: the path prefix, known to every layer.

Sign-in (security) answers an API request with a 401 in JSON and a console request
with a redirect, and the web layer answers errors the same way; the prefix sits down
here so that security need not import the web layer to tell them apart.
"""

from __future__ import annotations

from flask import request

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the current request is for the REST API (answered in JSON)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
