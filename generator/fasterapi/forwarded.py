"""Proxy headers, as uvicorn applies them by default.

uvicorn serves with ``--proxy-headers`` on and trusts the proxies listed in
``--forwarded-allow-ips`` (``FORWARDED_ALLOW_IPS``, default ``127.0.0.1,::1``):
for a request from a trusted peer, ``X-Forwarded-Proto`` sets the scheme and
``X-Forwarded-For`` the client address. FasterAPI does the same for the
requests that reach Python with a scope (dependency plans, the app's own
entry, WebSocket handshakes) and for its slash redirects, so URLs, redirects
and ``request.client`` come out as they do under uvicorn behind a proxy.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

DEFAULT_TRUSTED = "127.0.0.1,::1"
_SCHEMES = ("http", "https", "ws", "wss")


class ProxyTrust:
    """Which peers may set the scheme and client through proxy headers.

    ``ProxyTrust.parse("127.0.0.1, 10.0.0.0/8, unix-peer")``: addresses,
    networks and other literal names; ``"*"`` trusts every peer.
    """

    def __init__(self, everyone: bool, addresses: set[Any], networks: list[Any], names: set[str]) -> None:
        self.everyone = everyone
        self.addresses = addresses
        self.networks = networks
        self.names = names
        self._known: dict[str, bool] = {}

    @classmethod
    def parse(cls, spec: str | None = None) -> ProxyTrust:
        if spec is None:
            spec = os.environ.get("FORWARDED_ALLOW_IPS", DEFAULT_TRUSTED)
        entries = [entry.strip() for entry in spec.split(",")]
        if spec == "*":
            return cls(True, set(), [], set())
        addresses, networks, names = set(), [], set()
        for entry in entries:
            try:
                if "/" in entry:
                    networks.append(ipaddress.ip_network(entry))
                else:
                    addresses.add(ipaddress.ip_address(entry))
            except ValueError:
                names.add(entry)  # not an address: compared as written
        return cls(False, addresses, networks, names)

    def trusts(self, host: str | None) -> bool:
        if self.everyone:
            return True
        if not host:
            return False
        known = self._known.get(host)
        if known is None:
            try:
                ip = ipaddress.ip_address(host)
                known = ip in self.addresses or any(ip in net for net in self.networks)
            except ValueError:
                known = host in self.names
            if len(self._known) < 4096 and len(host) <= 253:
                self._known[host] = known
        return known

    def client(self, forwarded_for: str) -> tuple[str, int]:
        """The client an ``X-Forwarded-For`` list names: the last hop that is
        not a trusted proxy (each proxy appends the peer it saw), else the first."""
        hops = [hop.strip() for hop in forwarded_for.split(",")]
        if not self.everyone:
            for hop in reversed(hops):
                host, port = _host_port(hop)
                if not self.trusts(host):
                    return host, port
        return _host_port(hops[0])

    def apply(self, scope: dict[str, Any]) -> None:
        """Rewrites ``scope``'s scheme and client from its proxy headers when its peer is trusted."""
        client = scope.get("client")
        if not self.trusts(client[0] if client else None):
            return
        proto = None
        forwarded_for = []
        for name, value in scope["headers"]:
            if name == b"x-forwarded-proto":
                proto = value
            elif name == b"x-forwarded-for":
                forwarded_for.append(value)
        if proto is not None:
            scheme = proto.decode("latin-1").strip()
            if scheme in _SCHEMES:
                scope["scheme"] = scheme.replace("http", "ws") if scope["type"] == "websocket" else scheme
        if forwarded_for:
            host, port = self.client(b", ".join(forwarded_for).decode("latin-1"))
            if host:
                scope["client"] = (host, port)


def _host_port(hop: str) -> tuple[str, int]:
    """``"1.2.3.4:80"`` -> ``("1.2.3.4", 80)``, ``"[::1]:80"`` -> ``("::1", 80)``; a
    hop in no such form is the host itself, port 0."""
    if hop.startswith("["):
        end = hop.find("]")
        if end == -1:
            return hop, 0
        host, rest = hop[1:end], hop[end + 1:]
        if not rest:
            return host, 0
        if not rest.startswith(":"):
            return hop, 0
        try:
            return host, int(rest[1:])
        except ValueError:
            return host, 0
    if hop.count(":") == 1:
        host, port = hop.split(":")
        try:
            return host, int(port)
        except ValueError:
            return hop, 0
    return hop, 0
