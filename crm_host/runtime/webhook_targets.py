"""Where a webhook may be sent: public addresses only, unless an admin allows more.

A webhook URL is typed by a user, and the server sends requests to it: pointed at
``127.0.0.1``, ``10.0.0.5`` or the cloud metadata address ``169.254.169.254`` it would
make the server a proxy into the network behind it. So a URL's host must resolve to
global addresses only — every address it resolves to, IPv6 and IPv4-in-IPv6 forms
included — unless the ``WEBHOOK_ALLOWED_HOSTS`` setting (``CRM_WEBHOOK_ALLOWED_HOSTS``:
host names and networks, comma-separated) names the host or the address's network.

The check runs when a subscription is saved and again at each delivery, which then
connects to the very address it checked: a name that resolves elsewhere by the time
of delivery (DNS rebinding) cannot slip past.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: IPv4 embedded in IPv6 by NAT64 (RFC 6052).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class TargetRefused(ValueError):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class AllowList:
    """Host names and networks an admin lets webhooks reach although they are internal."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, setting: str | Iterable[str] | None) -> AllowList:
        """Read ``"hooks.internal, 10.1.0.0/16, 127.0.0.1"``; a bad entry raises ValueError."""
        entries = setting.split(",") if isinstance(setting, str) else list(setting or ())
        hosts, networks = set(), []
        for entry in (e.strip() for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not entry.replace("-", "").replace(".", "").isalnum():
                    raise ValueError(f"not a host name or network: {entry!r}") from None
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether the admin allowed ``host`` or the network of ``address``."""
        return host.lower().rstrip(".") in self.hosts or any(address in n for n in self.networks)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv6 one (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_internal(address: IPAddress) -> bool:
    """Loopback, private, link-local (metadata), shared, reserved, multicast or unspecified —
    anything but a global unicast address, looking inside IPv6 forms that carry IPv4."""
    inner = embedded_ipv4(address)
    if inner is not None and is_internal(inner):
        return True
    return not address.is_global or address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is itself); OSError when none."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scoped IPv6 addresses come back as "fe80::1%eth0": the scope is not part of it.
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def check_target(url: str, allowed: AllowList, *, unresolved_ok: bool) -> IPAddress | None:
    """The first address of ``url``'s host, once every address it resolves to is
    allowed; raises :class:`TargetRefused` naming the URL and the address otherwise.

    ``unresolved_ok``: a host that does not resolve (yet) passes, returning ``None`` —
    when a subscription is saved; a delivery needs an address.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        if unresolved_ok:
            return None
        raise TargetRefused(f"{url}: the host {host} does not resolve ({error})") from None
    if not addresses:
        raise TargetRefused(f"{url}: the host {host} has no address")
    for address in addresses:
        if is_internal(address) and not allowed.allows(host, address):
            raise TargetRefused(
                f"{url} reaches the internal address {address}; an admin may allow it "
                "with the setting CRM_WEBHOOK_ALLOWED_HOSTS"
            )
    return addresses[0]


class _PinnedHostAdapter(HTTPAdapter):
    """TLS to an address, with the certificate checked for (and SNI naming) ``host``."""

    def __init__(self, host: str) -> None:
        self._host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._host
        kwargs["assert_hostname"] = self._host
        super().init_poolmanager(*args, **kwargs)


def post_to_address(url: str, address: IPAddress, **kwargs: Any) -> requests.Response:
    """POST to ``url`` over a connection to ``address`` (already checked), not to whatever
    the host name resolves to now; the ``Host`` header and TLS name stay the URL's."""
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = (f"{userinfo}@" if userinfo else "") + literal
    if parts.port:
        netloc += f":{parts.port}"
    pinned = urlunsplit(parts._replace(netloc=netloc))
    headers = {**kwargs.pop("headers", {}), "Host": hostport}
    with requests.Session() as session:
        # No proxy from the environment: the request must go to the address checked.
        session.trust_env = False
        if parts.scheme == "https":
            session.mount("https://", _PinnedHostAdapter(parts.hostname or ""))
        return session.post(pinned, headers=headers, **kwargs)
