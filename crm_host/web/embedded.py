"""The embedded server ``crm serve`` runs: waitress, set up for what the app decides itself.

Two of waitress' defaults would take decisions the app makes on its own terms:

* it reads a whole body before the app sees it, so it is told the largest body any
  route takes (``crm_host.web._limits``) and refuses bigger ones before buffering them;
* it removes forwarded headers it was not told to trust. The app trusts them only from
  its configured proxies (``crm_host.web.proxies``) and must *see* them otherwise —
  ``/metrics`` refuses a request a local proxy forwarded — so they are passed through.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from crm_host.web._limits import largest_limit


def server_options(app: Flask) -> dict[str, Any]:
    """waitress' settings for serving ``app``."""
    return {
        "threads": 8,
        "ident": "crm-host",
        "max_request_body_size": largest_limit(app),
        "clear_untrusted_proxy_headers": False,
    }


def create_server(app: Flask, host: str, port: int) -> Any:
    """A waitress server for ``app`` on ``host:port`` (port 0: any free one), not yet run."""
    import waitress.server

    return waitress.server.create_server(app, host=host, port=port, **server_options(app))
