"""A webhook's host name is resolved before each delivery: a name that points inside the port's
network (registered as public, changed later) gets no request, and the attempt says why."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from kouan.adapters import blocking
from kouan.services.platform import webhooks

DUE = webhooks._Due(1, 1, 0, "e" * 32, "permit.issued", {"id": "e" * 32}, "", "secret")


class NoRequests:
    """An HTTP client that fails the test if a request is made."""

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request was sent to a private address")


def _resolving_to(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254", "192.168.1.9"])
def test_a_name_resolving_inside_gets_no_request(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolving_to(address, monkeypatch)
    due = webhooks._Due(**{**DUE.__dict__, "url": "https://hooks.example.com/kouan"})
    answer = blocking.run(webhooks._attempt(NoRequests(), due, 1_800_000_000))  # type: ignore[arg-type]
    assert answer.status_code is None
    assert answer.error == f"refused: the host resolves to a private address {address}"


def test_a_name_resolving_to_the_internet_is_posted_to(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to("93.184.216.34", monkeypatch)
    assert blocking.run(webhooks._resolves_private("https://hooks.example.com/kouan")) is None
