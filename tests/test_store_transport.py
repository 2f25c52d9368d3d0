"""Reaching the store: sync and async httpx transports, interception, and real local HTTPS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidStore


def _paths(store: EcwidStore) -> list[str]:
    order = next(iter(store.orders.values()))
    product = next(iter(store.products.values()))
    return [
        f"/orders/{order['id']}",
        f"/orders/{order['internalId']}",
        "/orders?limit=3&offset=2",
        f"/products/{product['id']}",
        "/customers?limit=2",
        "/profile",
        "/orders/NOPE1",
    ]


def _answers(http: httpx.Client, paths: list[str]) -> list[tuple[int, Any]]:
    return [(r.status_code, r.json()) for r in (http.get(p) for p in paths)]


def test_sync_async_and_https_give_the_same_answers(store: EcwidStore) -> None:
    paths = _paths(store)
    auth = {"Authorization": f"Bearer {store.token}"}
    with httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth) as http:
        in_process = _answers(http, paths)

    async def fetch() -> list[tuple[int, Any]]:
        async with httpx.AsyncClient(
            transport=store.async_transport(), base_url=store.base_url, headers=auth
        ) as http:
            return [(r.status_code, r.json()) for r in [await http.get(p) for p in paths]]

    import asyncio

    assert asyncio.run(fetch()) == in_process
    with store:
        server = store.serve_https()
        assert server.url.startswith("https://127.0.0.1:")
        base = f"{server.url}/api/v3/{store.store_id}"
        with httpx.Client(base_url=base, headers=auth, verify=server.client_ssl_context()) as http:
            assert _answers(http, paths) == in_process
    assert in_process[-1][0] == 404


def test_the_transport_answers_only_ecwids_host(store: EcwidStore) -> None:
    with (
        httpx.Client(transport=store.transport()) as http,
        pytest.raises(httpx.ConnectError, match=r"app\.ecwid\.com"),
    ):
        http.get("https://example.com/api/v3/1/orders")


def test_handle_serves_mock_transport_and_respx_style_handlers(store: EcwidStore) -> None:
    with httpx.Client(transport=httpx.MockTransport(store.handle)) as http:
        answer = http.get(
            f"{store.base_url}/profile", headers={"Authorization": f"Bearer {store.token}"}
        )
    assert answer.json()["generalInfo"]["storeId"] == store.store_id


def test_intercept_diverts_clients_built_elsewhere(store: EcwidStore) -> None:
    url = f"{store.base_url}/orders?limit=1"
    original = httpx.HTTPTransport.handle_request
    with store.intercept():
        assert httpx.HTTPTransport.handle_request is not original
        with httpx.Client() as http:  # a receiver's own client, default transport
            assert (
                http.get(url, headers={"Authorization": f"Bearer {store.token}"}).json()["limit"]
                == 1
            )

        async def fetch() -> int:
            async with httpx.AsyncClient() as http:
                answer = await http.get(url, headers={"Authorization": f"Bearer {store.token}"})
                return answer.status_code

        import asyncio

        assert asyncio.run(fetch()) == 200
    assert store.calls.call_count == 2
    assert httpx.HTTPTransport.handle_request is original


def test_intercept_answers_requests_calls_too() -> None:
    requests = pytest.importorskip("requests")
    from ecwid_mock import EcwidStore

    store = EcwidStore(seed=3).seed(orders=2)
    order_id = next(iter(store.orders))
    with store.intercept(), requests.Session() as session:
        answer = session.get(
            f"{store.base_url}/orders/{order_id}",
            headers={"Authorization": f"Bearer {store.token}"},
            timeout=5,
        )
        refused = session.get(f"{store.base_url}/orders/{order_id}", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["id"] == store.orders[order_id]["id"]
    assert refused.status_code == 403
    assert refused.json()["errorCode"] == "INVALID_API_TOKEN"
    assert store.calls.call_count == 2
