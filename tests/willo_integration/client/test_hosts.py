"""Where a client with a host policy may connect: allowed hosts, and only public addresses
at each connection (a name that later resolves to a private address is refused then)."""

from __future__ import annotations

import socket

import httpcore
import pytest

from willo_integration.client import (
    HostPolicy,
    InsecureBaseURLError,
    UnsafeHostError,
    WilloClient,
    _hosts,
)

PRODUCTION = HostPolicy(allowed_hosts=frozenset({"api.willotalent.com"}), allow_private=False)
BASE = "https://api.willotalent.com/api/integrations/v2"


def _resolving(monkeypatch, *answers: str) -> list[str]:
    """socket.getaddrinfo answers each address in turn (the last one from then on)."""
    asked: list[str] = []
    queue = list(answers)

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


class _Connected(Exception):
    """Raised by the fake connect: the guard let the connection through."""


@pytest.fixture
def connects(monkeypatch) -> list:
    """Records the addresses the guard connects to, without any network."""
    seen: list = []

    def connect(self, sockaddr):
        seen.append(sockaddr[0])
        raise _Connected(sockaddr[0])

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "192.168.0.1",
        "::1",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "fd00::1",
        "240.0.0.1",
    ],
)
def test_it_refuses_a_host_resolving_to_a_non_public_address(monkeypatch, connects, address):
    _resolving(monkeypatch, address)
    with (
        WilloClient(BASE, "key", host_policy=PRODUCTION, max_retries=0) as client,
        pytest.raises(UnsafeHostError) as raised,
    ):
        client.languages.list_page()
    assert raised.value.request_sent is False
    assert connects == []


def test_it_connects_to_the_vetted_public_address(monkeypatch, connects):
    _resolving(monkeypatch, "93.184.216.34")
    backend = _hosts.GuardedBackend()

    with pytest.raises(_Connected):
        backend.connect_tcp("api.willotalent.com", 443)

    assert connects == ["93.184.216.34"]


def test_it_refuses_a_rebinding_host_at_the_second_connection(monkeypatch, connects):
    asked = _resolving(monkeypatch, "93.184.216.34", "10.0.0.7")
    backend = _hosts.GuardedBackend()
    with pytest.raises(_Connected):
        backend.connect_tcp("api.willotalent.com", 443)

    with pytest.raises(_hosts.UnsafeAddressError, match=r"10\.0\.0\.7"):
        backend.connect_tcp("api.willotalent.com", 443)

    assert asked == ["api.willotalent.com", "api.willotalent.com"]
    assert connects == ["93.184.216.34"]


def test_it_refuses_when_any_resolved_address_is_private(monkeypatch, connects):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(_hosts.UnsafeAddressError):
        _hosts.GuardedBackend().connect_tcp("api.willotalent.com", 443)
    assert connects == []


def test_the_guarded_transport_uses_the_guarded_backend_and_the_tls_context():
    from willo_integration.client._base import tls_context

    transport = _hosts.guarded_transport(tls_context())

    assert isinstance(transport._pool, httpcore.ConnectionPool)
    assert isinstance(transport._pool._network_backend, _hosts.GuardedBackend)
    assert transport._pool._ssl_context is tls_context()


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("https://willo.example.com/api/integrations/v2", "not an allowed Willo API host"),
        ("https://169.254.169.254/latest", "not an allowed Willo API host"),
        ("https://localhost/api", "not an allowed Willo API host"),
        ("http://127.0.0.1:8000/api", "must use https"),
    ],
)
def test_it_refuses_a_host_the_policy_does_not_allow_before_any_connection(base_url, problem):
    with pytest.raises(InsecureBaseURLError, match=problem):
        WilloClient(base_url, "key", host_policy=PRODUCTION)


def test_without_an_allow_list_it_still_refuses_private_address_literals():
    policy = HostPolicy(allow_private=False)
    for base_url in ("https://169.254.169.254/", "https://10.0.0.1/", "https://[::1]/"):
        with pytest.raises(InsecureBaseURLError, match="not a public address"):
            WilloClient(base_url, "key", host_policy=policy)


def test_allowing_private_addresses_accepts_loopback_http():
    with WilloClient(
        "http://127.0.0.1:8001/api/integrations/v2",
        "key",
        host_policy=HostPolicy(allow_private=True),
    ) as client:
        assert client.base_url.host == "127.0.0.1"
