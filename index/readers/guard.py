"""Which addresses a URL fetched on a user's behalf may reach: a guard against server-side
request forgery (SSRF).

A server that fetches any URL it is given can be made to read what only it can reach: a
page on another loopback port, an admin panel on the private network, the cloud's metadata
service (credentials at 169.254.169.254). So URLs indexed through the web UI or the API
reach public addresses only, unless settings allow more.

The check is made where the connection is opened (:class:`GuardedBackend`, httpcore's network
backend), for every connection, redirects included: the host is resolved once, every address
it resolves to is checked, and the socket is connected to a checked address, never to the
name again, so a DNS answer that changes between the check and the connection (DNS
rebinding) cannot slip through. Resolving with getaddrinfo also reads every spelling of an
address the way the connection would (``2130706433``, ``0177.1``, ``[::ffff:127.0.0.1]``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence

import httpcore
import httpx

from index.errors import UrlRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]  # (host, port) -> addresses, in order

# Instance metadata services: cloud credentials. Refused even when private addresses are
# allowed; only a network listed in the allowed networks opens one.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean...
        "169.254.170.2/32",  # AWS ECS task metadata
        "169.254.170.23/32",  # AWS EKS pod identity
        "fd00:ec2::254/128",  # AWS over IPv6
        "fd00:ec2::23/128",  # AWS EKS pod identity over IPv6
        "100.100.100.200/32",  # Alibaba Cloud
        "192.0.0.192/32",  # Oracle Cloud (classic)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_SETTING_HINT = "NEWSDESK_ALLOW_PRIVATE_URLS or NEWSDESK_URL_ALLOWED_NETWORKS"


class AddressGuard:
    """Refuses non-public addresses: loopback, private, link-local, multicast, unspecified,
    reserved and cloud metadata ones (IPv4 inside IPv6 included: mapped, 6to4, NAT64...).

    ``allow_private`` allows them all except cloud metadata; ``allowed_networks`` allows the
    addresses of those networks whatever they are (``10.1.0.0/16``, ``127.0.0.1/32``).
    """

    def __init__(
        self, *, allow_private: bool = False, allowed_networks: Iterable[str | IPNetwork] = ()
    ) -> None:
        self.allow_private = allow_private
        self.allowed_networks = tuple(ipaddress.ip_network(n) for n in allowed_networks)

    def refusal(self, address: str) -> str | None:
        """Why ``address`` (an IP, as getaddrinfo gives it) may not be reached, or None."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: scope dropped
        views = list(_views(ip))
        if any(v in n for v in views for n in self.allowed_networks if v.version == n.version):
            return None
        # the carried IPv4 address first: ::ffff:127.0.0.1 is named loopback, not "private"
        kind = next((k for k in map(_kind, reversed(views)) if k), None)
        if kind is None or (self.allow_private and kind != "a cloud metadata address"):
            return None
        return kind


def _views(ip: IPAddress) -> Iterator[IPAddress]:
    """The address, and the IPv4 address an IPv6 one carries (a connection to it may reach
    that IPv4 host: ::ffff:127.0.0.1 is 127.0.0.1 on a dual-stack socket)."""
    yield ip
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            yield ip.ipv4_mapped
        if ip.sixtofour is not None:
            yield ip.sixtofour
        if ip.teredo is not None:
            yield ip.teredo[1]
        if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
            yield ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def _kind(ip: IPAddress) -> str | None:
    """What kind of non-public address ``ip`` is, or None for a public one."""
    if any(ip in n for n in METADATA_NETWORKS if n.version == ip.version):
        return "a cloud metadata address"
    checks = [
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),  # shared (100.64/10), reserved...
    ]
    return next((name for hit, name in checks if hit), None)


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for a TCP connection, in getaddrinfo's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend connecting only to addresses the guard allows, and to the
    very address it checked (TLS still verifies the host name: httpcore passes it as SNI)."""

    def __init__(self, guard: AddressGuard, resolver: Resolver = resolve) -> None:
        self.guard = guard
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Resolve ``host`` once, refuse it if any address is not allowed, then connect."""
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        for address in addresses:  # all of them: a mixed answer is refused, not filtered
            kind = self.guard.refusal(address)
            if kind:
                shown = host if host == address else f"{host} ({address})"
                reason = (
                    f"refused: {shown} is {kind}; URLs are fetched on a user's behalf from "
                    f"public addresses only (see {_SETTING_HINT})"
                )
                raise UrlRefused(host, reason)
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return self.open(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the next address, as browsers do
                error = exc
        raise error or httpcore.ConnectError(f"{host} has no address")

    def open(
        self,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.NetworkStream:
        """Connect to the checked ``address`` (tests override this to see where it goes)."""
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a :class:`GuardedBackend`; no proxy (it would hide the real
    destination from the guard). httpx 0.28 takes no network backend, hence the own pool."""

    def __init__(self, guard: AddressGuard, resolver: Resolver = resolve) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=GuardedBackend(guard, resolver),
        )
