"""The ``ecwid_store`` fixture, tested through pytester runs as users meet it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# A receiver's real work: fetch the order the webhook names, read its lines, write back.
HANDLER = """
import httpx

def handle_order_updated(event, *, client):
    order = client.get(f"/orders/{event['data']['orderId']}")
    if order.status_code == 404:
        return "gone"
    order.raise_for_status()
    body = order.json()
    if body["paymentStatus"] == "PAID" and body["fulfillmentStatus"] == "AWAITING_PROCESSING":
        client.put(f"/orders/{body['id']}", json={"fulfillmentStatus": "PROCESSING"})
    return sum(item["quantity"] for item in body["items"])
"""

TESTS = """
import httpx
import pytest
from handler import handle_order_updated


@pytest.fixture
def client(ecwid_store):
    with httpx.Client(
        transport=ecwid_store.transport(),
        base_url=ecwid_store.base_url,
        headers={"Authorization": f"Bearer {ecwid_store.token}"},
    ) as http:
        yield http


def test_the_handler_reads_the_order_and_writes_back(ecwid_store, client):
    ecwid_store.seed(orders=5)
    order = next(iter(ecwid_store.orders.values()))
    paid = {"paymentStatus": "PAID", "fulfillmentStatus": "AWAITING_PROCESSING"}
    ecwid_store.update("orders", order["id"], paid)
    event = {"entityId": order["internalId"], "data": {"orderId": order["id"]}}
    assert handle_order_updated(event, client=client) == sum(i["quantity"] for i in order["items"])
    assert ecwid_store.orders[order["id"]]["fulfillmentStatus"] == "PROCESSING"
    ecwid_store.calls.assert_called("PUT", f"/orders/{order['id']}", times=1)
    assert ecwid_store.changes[-1].event_type == "order.updated"


def test_a_deleted_order_is_a_404(ecwid_store, client):
    ecwid_store.seed(orders=1)
    order = next(iter(ecwid_store.orders.values()))
    ecwid_store.delete("orders", order["id"])
    assert handle_order_updated({"data": {"orderId": order["id"]}}, client=client) == "gone"
    assert ecwid_store.calls.last.status == 404


def test_the_same_seed_gives_the_same_store(ecwid_store, ecwid_seed):
    from ecwid_mock import EcwidStore

    ecwid_store.seed(orders=3)
    again = EcwidStore(seed=ecwid_seed, clock=ecwid_store.clock).seed(orders=3)
    assert list(again.orders) == list(ecwid_store.orders)


def test_over_real_https(ecwid_store):
    import ssl

    ecwid_store.seed(products=2)
    verify = ssl.create_default_context(cafile=ecwid_store.cacert)
    auth = {"Authorization": f"Bearer {ecwid_store.token}"}
    with httpx.Client(verify=verify, headers=auth) as http:
        assert http.get(f"{ecwid_store.api_url}/products").json()["total"] == 2


def test_an_unmade_call_fails_listing_the_calls_made(ecwid_store, client):
    client.get("/profile")
    ecwid_store.calls.assert_called("GET", "/orders/K8XTQ")
"""


def test_the_ecwid_store_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(handler=HANDLER, test_inner_store=TESTS)
    result = pytester.runpytest("-p", "ecwid")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_an_unmade_call_fails_listing_the_calls_made*",
            "*expected GET /orders/K8XTQ, got 0; calls made:*",
            "*1. GET /profile -> 200*",
        ]
    )
