"""The client's real address, also behind a reverse proxy.

``client_ip(request)`` starts from the direct peer (``REMOTE_ADDR``). Only when that
peer is a trusted proxy (``WENKU_TRUSTED_PROXIES``; default loopback, which is how
``wenku serve`` runs behind nginx on the same machine) does it read
``X-Forwarded-For``, from the right: each proxy appends the address it received
the request from, so the rightmost address that is not itself a trusted proxy is
the client. Anything to its left was written by the client and may be forged.
A header sent by an untrusted peer is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.http import HttpRequest

from wenku.config import conf

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(raw: str) -> Address | None:
    """An address as proxies write it: maybe with a port, brackets or an IPv6 zone."""
    value = raw.strip().strip('"')
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 203.0.113.7:5678
        value = value.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _trusted(addr: Address, networks: Sequence[Network]) -> bool:
    return any(addr.version == net.version and addr in net for net in networks)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the direct peer is one of WENKU_TRUSTED_PROXIES (its X-Forwarded-* count)."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    return peer is not None and _trusted(peer, _networks(tuple(conf().trusted_proxies)))


def client_ip(request: HttpRequest, trusted: Sequence[str] | None = None) -> str | None:
    """The address the request came from, seen through trusted proxies; None if unknown."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    entries = conf().trusted_proxies if trusted is None else trusted
    networks = _networks(tuple(entries))
    if not _trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for raw in reversed(forwarded.split(",")):
        addr = _address(raw)
        if addr is None:
            break  # a hop we cannot read: nothing further left can be trusted
        client = addr
        if not _trusted(addr, networks):
            break
    return str(client)


def address_in(raw: str | None, entries: Sequence[str]) -> bool:
    """``raw`` is an address inside one of the networks ``entries`` names."""
    addr = _address(raw or "")
    return addr is not None and _trusted(addr, _networks(tuple(entries)))
