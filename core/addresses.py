"""Network addresses: which client sent a request, and which IP addresses are on the public internet.

client_address() is the one reading of a request's client for the whole site: history rows keep it, and
sign-in lockout (django-axes) and the mail throttles key on it through client_network().

The gateway calls a model's upstream only at a public address, and the listing form refuses an endpoint
whose literal address is not public, so a developer's URL cannot reach the platform's own network (its
database, a cloud metadata service, an admin port).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# IPv6 ranges that carry an IPv4 address in their last 32 bits (NAT64 reaches it through a gateway).
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Deprecated ranges the ipaddress module still calls global: site-local, and IPv4-compatible (::a.b.c.d).
NEVER_PUBLIC = (ipaddress.ip_network("fec0::/10"), ipaddress.ip_network("::/96"))


def is_public_address(address: str) -> bool:
    """Whether an IP address is one on the internet: not loopback, private, link-local (cloud metadata),
    shared, reserved, unspecified, site-local or multicast. An IPv6 address that carries an IPv4 one
    (mapped, 6to4, NAT64) is judged by that IPv4 address."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if any(ip in network for network in NEVER_PUBLIC):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in NAT64_PREFIXES):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the X-Forwarded-For entry
    the outermost trusted proxy added (the N-th from the right). Entries further left are whatever the
    client sent, so they are never read. None when that entry is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_network(request: HttpRequest) -> str | None:
    """The client as throttles count it: client_address(), except that an IPv6 client is its /64 (one
    home or host is given a whole /64, so every address in it is one client). Sign-in lockout and the
    mail throttles key on this; history rows keep the full address."""
    address = client_address(request)
    if address is None or ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
