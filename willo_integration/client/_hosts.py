"""Where a client may connect: the allowed API hosts and, at each connection, only
public addresses (a name that resolves to a private address later is refused then)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import typing
from dataclasses import dataclass

import httpcore
import httpx

logger = logging.getLogger("willo_integration.client")


class UnsafeAddressError(Exception):
    """A connection was refused before it was made: the host is not a public address."""


@dataclass(frozen=True)
class HostPolicy:
    """``allowed_hosts`` None means any host; ``allow_private`` lets the client reach
    loopback and private addresses (a local sandbox), and plain http to loopback."""

    allowed_hosts: frozenset[str] | None = None
    allow_private: bool = False

    def problem(self, url: httpx.URL) -> str:
        """Why ``url`` may not receive the API key ("" when it may), before any connection."""
        host = url.host.lower()
        if url.scheme != "https" and not self.allow_private:
            return "the base URL must use https://"
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            listed = ", ".join(sorted(self.allowed_hosts)) or "none"
            return f"the host {host} is not an allowed Willo API host (allowed: {listed})"
        address = _ip_literal(host)
        if address is not None and not self.allow_private and not is_public(address):
            return f"the host {host} is not a public address"
        return ""


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address: not loopback, private, link-local (cloud
    metadata at 169.254.169.254), multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


def _ip_literal(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def public_addresses(host: str, port: int) -> list[tuple]:
    """Resolve ``host``; UnsafeAddressError if any of its addresses is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from None
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not is_public(address):
            raise UnsafeAddressError(f"{host} resolves to {address}, not a public address")
    return infos


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself at every new connection and connects only to a vetted
    public address; TLS still verifies the certificate against the host name."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        infos = public_addresses(host, port)
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                if local_address is not None:
                    sock.bind((local_address, 0))
                sock.connect(sockaddr)
            except TimeoutError as exc:
                sock.close()
                raise httpcore.ConnectTimeout(str(exc)) from None
            except OSError as exc:
                sock.close()
                last = exc
                continue
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return httpcore._backends.sync.SyncStream(sock)
        raise httpcore.ConnectError(str(last or f"no address for {host}"))


def guarded_transport(ssl_context) -> httpx.HTTPTransport:
    """An httpx transport whose every new connection goes through GuardedBackend."""
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx builds its pool without a way to choose the network backend: swap in one that
    # has it, with the same TLS context (pinned by the client tests).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context, network_backend=GuardedBackend()
    )
    return transport
