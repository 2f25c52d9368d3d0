"""Tests for the Flask receiver, written with ecwid-mock's pytest plugin."""

import dataclasses

import pytest

import ecwid_mock

FORGED_SIGNATURES = ["wrong-secret", "missing", "hex", "body"]


class TestReceiver:
    """Deliveries straight to the app, in-process (the plugin's default transport)."""

    def test_order_created_is_delivered_and_processed(self, ecwid, inbox):
        delivery = ecwid.send("order.created")
        delivery.assert_delivered()
        assert inbox.processed() == [delivery.event.event_id]

    @pytest.mark.parametrize("signature", FORGED_SIGNATURES)
    def test_forged_signature_is_rejected(self, ecwid, inbox, signature):
        delivery = ecwid.send("order.created", signature=signature)
        delivery.assert_rejected()
        assert delivery.status_code == 401
        assert inbox.processed() == []

    def test_body_that_is_not_json_is_refused(self, ecwid, inbox):
        event = dataclasses.replace(ecwid.build("order.created"), body=b"{not json")
        ecwid.send(event).assert_status(400)
        assert inbox.processed() == []

    def test_event_without_a_numeric_event_created_is_refused(self, ecwid, inbox):
        broken = {"eventCreated": "yesterday"}
        event = ecwid.build("order.created", overrides=broken, validate=False)
        ecwid.send(event).assert_status(400)
        assert inbox.processed() == []

    def test_an_order_that_becomes_paid_is_noted(self, ecwid, inbox):
        paid = {"data.oldPaymentStatus": "AWAITING_PAYMENT", "data.newPaymentStatus": "PAID"}
        event = ecwid.build("order.updated", overrides=paid)
        ecwid.send(event).assert_delivered()
        ecwid.send("order.updated", overrides={"data.newPaymentStatus": "REFUNDED"})
        assert len(inbox.processed()) == 2
        assert inbox.paid_orders == [event.payload["entityId"]]

    def test_duplicate_is_processed_once(self, ecwid, inbox):
        event = ecwid.build("order.created")
        for delivery in ecwid.duplicate(event, times=3):
            delivery.assert_delivered()
        assert inbox.processed() == [event.event_id]

    def test_concurrent_duplicates_are_processed_once(self, ecwid, inbox):
        event = ecwid.build("order.updated")
        for delivery in ecwid.duplicate(event, times=5, concurrently=True):
            delivery.assert_delivered()
        assert inbox.processed() == [event.event_id]

    @pytest.mark.parametrize("event_type", ecwid_mock.EVENT_TYPES)
    def test_every_event_type_is_accepted(self, ecwid, inbox, event_type):
        delivery = ecwid.send(event_type)
        delivery.assert_delivered()
        assert inbox.processed() == [delivery.event.event_id]

    def test_event_is_retried_until_the_app_recovers(self, ecwid, inbox):
        inbox.available = False
        delivery = ecwid.send("order.created")
        delivery.assert_status(503)
        assert inbox.processed() == []
        inbox.available = True
        ecwid.advance(minutes=15)  # Ecwid's first retry, on the test's virtual clock
        delivery.assert_delivered()
        assert len(delivery.attempts) == 2
        assert inbox.processed() == [delivery.event.event_id]


@pytest.mark.ecwid(transport="https")
class TestReceiverOverHTTPS(TestReceiver):
    """The same tests, over real HTTPS to the app served on 127.0.0.1 with a test certificate."""
