"""The real client address of a request, for throttles and logs: the socket peer, unless that peer is a
reverse proxy the operator named in CAJA_TRUSTED_PROXIES, then the address the proxy forwarded.

What it is for: one answer to "who is asking", so every throttle keys on the same thing and a client cannot
pick its own key by sending X-Forwarded-For. Trusted proxies are empty by default: no forwarded header is
believed unless the operator says which addresses may send it (uvicorn, by default, trusts 127.0.0.1, which
lets anything on the server's own machine, or a proxy that passes the header through, reset a throttle).
What it must not do: trust a forwarded header from any peer not in the list, or raise on a malformed one.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(value: str) -> tuple[str, ...]:
    """'10.0.0.1, 192.168.1.0/24' → normalized networks; raises ValueError on a typo (fail at start-up)."""
    return tuple(str(ipaddress.ip_network(p.strip(), strict=False)) for p in value.replace(";", ",").split(",")
                 if p.strip())


def _networks(proxies: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(p, strict=False) for p in proxies]


def _is_trusted(host: str, networks: list[Network]) -> bool:
    try:
        addr = ipaddress.ip_address(host.strip())
    except ValueError:
        return False
    return any(addr in n for n in networks)


def real_client(peer: str, forwarded_for: list[str], proxies: Iterable[str]) -> str:
    """The address to key on: walk X-Forwarded-For from the right (the hops our proxies appended) past
    trusted proxies; the first untrusted hop is the client. A peer that is not a trusted proxy is the client."""
    networks = _networks(proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def client_address(request: HTTPConnection) -> str:
    peer = request.client.host if request.client else "?"
    proxies = request.app.state.settings.trusted_proxies
    return real_client(peer, request.headers.getlist("x-forwarded-for"), proxies)
