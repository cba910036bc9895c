"""Who is really calling: forwarded headers, believed only from trusted proxies.

Anyone can send ``X-Forwarded-For``; only a reverse proxy listed in TRUSTED_PROXIES is
believed when it says on whose behalf it forwards. The client is the right-most address of
the forwarding chain that is not itself a trusted proxy: each proxy appends the peer it saw,
so everything to the left of the last trusted hop was written by the client and proves
nothing. ``X-Forwarded-For`` is read first (what Caddy and nginx set), then ``Forwarded``
(RFC 7239), then ``X-Real-IP``: the proxy must set the first of these that it sends and
drop any of them a client sent. Sign-in throttling and the audit log's addresses depend on
this.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from inspect_app.db import counting_statements
from inspect_app.request_log import mark_start
from inspect_app.settings import ProxyNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A longer chain is not a real deployment; only its right-most hops can matter.
MAX_HOPS = 20


def parse_address(value: str) -> IPAddress | None:
    """The IP address of a forwarded value: ``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``, ``::1``."""
    text = value.strip().strip('"').strip()
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def forwarded_elements(values: Iterable[str]) -> list[dict[str, str]]:
    """The elements of ``Forwarded`` headers, in order: ``[{"for": ..., "proto": ...}, ...]``."""
    elements = []
    for value in values:
        for element in _split_outside_quotes(value, ","):
            pairs: dict[str, str] = {}
            for pair in _split_outside_quotes(element, ";"):
                key, _, item = pair.partition("=")
                if key.strip():
                    pairs[key.strip().lower()] = item.strip().strip('"')
            if pairs:
                elements.append(pairs)
    return elements


def forwarding_chain(headers: Iterable[tuple[bytes, bytes]]) -> tuple[list[str], str | None]:
    """The addresses the request was forwarded for, left to right, and the forwarded scheme."""
    found: dict[bytes, list[str]] = {}
    for name, value in headers:
        if name in (b"forwarded", b"x-forwarded-for", b"x-real-ip", b"x-forwarded-proto"):
            found.setdefault(name, []).append(value.decode("latin-1"))
    elements = forwarded_elements(found.get(b"forwarded", []))
    if b"x-forwarded-for" in found:
        chain = [hop for value in found[b"x-forwarded-for"] for hop in value.split(",")]
    elif elements:
        chain = [element["for"] for element in elements if "for" in element]
    elif b"x-real-ip" in found:
        chain = found[b"x-real-ip"][-1:]
    else:
        chain = []
    protos = [element["proto"] for element in elements if "proto" in element]
    proto: str | None = None
    if b"x-forwarded-proto" in found:
        proto = found[b"x-forwarded-proto"][-1].split(",")[-1]
    elif protos:
        proto = protos[-1]
    proto = proto.strip().lower() if proto else None
    return [hop.strip() for hop in chain if hop.strip()][-MAX_HOPS:], proto


def is_trusted(address: IPAddress | None, trusted: Sequence[ProxyNetwork]) -> bool:
    """True when ``address`` belongs to one of the trusted proxy networks."""
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, chain: Sequence[str], trusted: Sequence[ProxyNetwork]) -> str:
    """The caller's address: ``peer`` itself unless ``peer`` is a trusted proxy; then the
    right-most hop of ``chain`` that is not a trusted proxy.

    A hop that is not an IP address ("unknown", an obfuscated name) cannot be the client
    and cannot be trusted either: the peer's own address is kept then. When every hop is a
    trusted proxy, the left-most one is the caller.
    """
    if not trusted or not is_trusted(parse_address(peer), trusted):
        return peer
    for hop in reversed(chain):
        address = parse_address(hop)
        if address is None:
            return peer
        if not is_trusted(address, trusted):
            return str(address)
    if chain:
        first = parse_address(chain[0])
        return str(first) if first is not None else peer
    return peer


class TrustedProxyMiddleware(ASGIMiddleware):
    """Replace the scope's client (and scheme) by what a trusted proxy forwarded.

    Runs first, so that everything after it (identity, throttling, audit rows, the access
    log) sees the real caller. Without trusted proxies it changes nothing.
    """

    def __init__(self, trusted: Sequence[ProxyNetwork]) -> None:
        self.trusted = tuple(trusted)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        trusted = self.trusted
        client = scope.get("client")
        from_proxy = False
        if trusted and client:
            peer = str(client[0])
            if is_trusted(parse_address(peer), trusted):
                from_proxy = True
                chain, proto = forwarding_chain(scope.get("headers", []))
                address = client_address(peer, chain, trusted)
                if address != peer:
                    scope["client"] = (address, 0)
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        # The first middleware: the request's clock starts here, and a request id sent by a
        # trusted proxy is kept (anyone else's is replaced).
        with counting_statements() as tally:
            mark_start(scope, tally, trust_given_id=from_proxy)
            await next_app(scope, receive, send)
