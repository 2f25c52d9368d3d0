"""The receiver fetches what each webhook names from the plugin's mock store."""

import pytest


class TestOrderFetch:
    def test_a_new_order_is_fetched_and_its_total_kept(self, ecwid, ecwid_store, shop):
        delivery = ecwid.send("order.created")
        delivery.assert_delivered()
        order_id = delivery.event.payload["data"]["orderId"]
        assert shop.totals == {order_id: ecwid_store.orders[order_id]["total"]}
        assert ecwid_store.calls.last.path.endswith(f"/orders/{order_id}")

    def test_an_order_deleted_before_the_fetch_is_noted_not_failed(self, ecwid, ecwid_store, shop):
        event = ecwid.send("order.created").event  # the store now has the order
        order_id = event.payload["data"]["orderId"]
        ecwid_store.delete("orders", order_id)
        shop.seen.clear()  # the same event again, as a retry would bring it
        ecwid.send(event).assert_delivered()
        assert shop.gone == [order_id]

    def test_a_rate_limited_fetch_is_left_to_ecwids_retry(self, ecwid, ecwid_store, shop):
        ecwid_store.fail_next(429)
        delivery = ecwid.send("order.created")
        assert delivery.attempts[0].status_code == 503  # no tight loop against the limit
        ecwid.run_until_idle()  # Ecwid's retry, minutes later on the test's clock
        delivery.assert_delivered()
        assert len(shop.totals) == 1
        assert len(ecwid_store.calls) == 2

    def test_a_missing_scope_is_noted_not_failed(self, ecwid, ecwid_store, shop):
        event = ecwid.send("order.created").event
        ecwid_store.app.scopes -= {"read_orders"}  # changed while the event was queued
        shop.seen.clear()  # the same event again, as a retry would bring it
        ecwid.send(event).assert_delivered()
        assert shop.forbidden == [event.payload["data"]["orderId"]]


@pytest.mark.ecwid(transport="https")
class TestOrderFetchOverHTTPS(TestOrderFetch):
    """The same, with webhooks and REST calls over real local HTTPS."""
