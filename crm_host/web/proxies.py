"""Client addresses behind a reverse proxy: forwarded headers, trusted only from proxies.

Behind a balancer every connection comes from the balancer; sign-in throttling by
address would then lock everyone out together. Werkzeug's ``ProxyFix`` takes the
client from ``X-Forwarded-For`` (and the scheme, host, port and prefix from their
headers) — but only as many hops as configured, and here only when the connection
itself comes from a configured proxy: a client reaching the application directly
cannot pick its own address by sending the header.

Settings (all ``CRM_*``): ``PROXY_FIX_X_FOR``, ``PROXY_FIX_X_PROTO``,
``PROXY_FIX_X_HOST``, ``PROXY_FIX_X_PORT``, ``PROXY_FIX_X_PREFIX`` — how many proxies
set each header (default 0: trust none) — and ``TRUSTED_PROXIES``, the addresses or
networks those proxies connect from (default ``127.0.0.1,::1``; ``*`` for any).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from crm_host.runtime.settings import SettingsError

HEADERS = ("for", "proto", "host", "port", "prefix")
DEFAULT_TRUSTED = "127.0.0.1,::1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def hop_counts(config: Mapping[str, Any]) -> dict[str, int]:
    """The configured hop count per forwarded header; a bad value names its setting."""
    counts = {}
    for name in HEADERS:
        setting = f"PROXY_FIX_X_{name.upper()}"
        raw = config.get(setting, 0)
        try:
            value = int(raw)
            if value < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise SettingsError(
                f"CRM_{setting} must be a whole number of proxies (0 or more), not {raw!r}"
            ) from None
        counts[name] = value
    return counts


def trusted_networks(spec: str | Iterable[str]) -> list[Network] | None:
    """The proxies' networks from ``"10.0.0.0/8, 127.0.0.1"``; ``None`` means any (``*``)."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    networks: list[Network] = []
    for item in (i.strip() for i in items):
        if item == "*":
            return None
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise SettingsError(
                    f"CRM_TRUSTED_PROXIES: {item!r} is not an address or network"
                ) from None
    return networks


class TrustedProxyFix:
    """``ProxyFix`` for connections from trusted proxies; others pass through untouched."""

    def __init__(self, app: Any, networks: list[Network] | None, **hops: int) -> None:
        self.app = app
        self.fixed = ProxyFix(app, **{f"x_{k}": v for k, v in hops.items()})
        self.networks = networks

    def trusts(self, peer: str | None) -> bool:
        """Whether a connection from ``peer`` may set forwarded headers."""
        if self.networks is None:
            return True
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:  # a Unix socket or nothing: not a configured proxy
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the app in :class:`TrustedProxyFix` when any hop count is set."""
    hops = hop_counts(app.config)
    if not any(hops.values()):
        return
    networks = trusted_networks(app.config.get("TRUSTED_PROXIES", DEFAULT_TRUSTED))
    app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks, **hops)  # type: ignore[method-assign]
