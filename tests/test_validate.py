"""validate_event: input forms, modes, and one pinned message per rule."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import ecwid_mock
from ecwid_mock._schemas import validate as _validate


def _problems(payload: Any, *, strict: bool = False) -> list[str]:
    with pytest.raises(ecwid_mock.InvalidEvent) as caught:
        ecwid_mock.validate_event(payload, strict=strict)
    assert isinstance(caught.value, ecwid_mock.EcwidMockError)
    return [str(p) for p in caught.value.problems]


def test_accepts_a_dict_a_json_string_and_body_bytes(order_updated: dict[str, Any]) -> None:
    body = json.dumps(order_updated)
    for form in (order_updated, body, body.encode(), bytearray(body.encode())):
        assert ecwid_mock.validate_event(form) == order_updated


def test_wrong_type(order_updated: dict[str, Any]) -> None:
    order_updated["eventCreated"] = "1725434529"
    assert _problems(order_updated) == ["eventCreated: must be an integer, got string '1725434529'"]


def test_missing_field(order_updated: dict[str, Any]) -> None:
    del order_updated["data"]["oldPaymentStatus"]
    assert _problems(order_updated) == ["data.oldPaymentStatus: required field is missing"]
    del order_updated["data"]["orderId"]  # the G1 form: tolerated, but not in strict mode
    assert _problems(order_updated, strict=True) == [
        "data.oldPaymentStatus: required field is missing",
        "data.orderId: required field is missing",
    ]


def test_bad_enum(order_updated: dict[str, Any]) -> None:
    order_updated["data"]["newPaymentStatus"] = "SHIPPED"
    assert _problems(order_updated) == [
        "data.newPaymentStatus: 'SHIPPED' is not one of AWAITING_PAYMENT, PAID, CANCELLED, "
        "REFUNDED, PARTIALLY_REFUNDED, INCOMPLETE, CUSTOM_PAYMENT_STATUS_1, "
        "CUSTOM_PAYMENT_STATUS_2, CUSTOM_PAYMENT_STATUS_3"
    ]


def test_milliseconds_are_not_seconds(order_updated: dict[str, Any]) -> None:
    order_updated["eventCreated"] = 1725434529000
    assert _problems(order_updated) == [
        "eventCreated: 1725434529000 is greater than the maximum of 9999999999"
    ]


def test_data_not_an_object(order_updated: dict[str, Any]) -> None:
    order_updated["data"] = ["PAID"]
    assert _problems(order_updated) == ['data: must be an object, got array ["PAID"]']


def test_unknown_event_type_names_the_closest_known_ones(order_updated: dict[str, Any]) -> None:
    order_updated["eventType"] = "order.craeted"
    assert _problems(order_updated) == [
        "eventType: unknown event type 'order.craeted'; "
        "closest known: order.created, order.updated, order.deleted"
    ]


def test_extra_field_in_strict_mode(order_updated: dict[str, Any]) -> None:
    order_updated["data"]["trackingNumber"] = "1Z999"
    assert _problems(order_updated, strict=True) == [
        "data.trackingNumber: unknown field (strict mode allows only documented fields)"
    ]
    assert ecwid_mock.validate_event(order_updated)["data"]["trackingNumber"] == "1Z999"


def test_every_problem_is_listed_at_once(order_updated: dict[str, Any]) -> None:
    order_updated["data"]["newPaymentStatus"] = "SHIPPED"
    order_updated["storeId"] = "x"
    del order_updated["eventId"]
    problems = _problems(order_updated)
    assert [p.split(":")[0] for p in problems] == ["data.newPaymentStatus", "eventId", "storeId"]


def test_the_message_lists_problems_and_names_the_source(order_updated: dict[str, Any]) -> None:
    del order_updated["storeId"]
    with pytest.raises(ecwid_mock.InvalidEvent, match=r"in captured\.json: 1 problem\n") as caught:
        ecwid_mock.validate_event(order_updated, source="captured.json")
    assert str(caught.value).endswith("  - storeId: required field is missing")
    assert caught.value.event_type == "order.updated"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "(root): body is empty, expected a JSON object"),
        (b"{", "(root): body is not JSON: Expecting property name enclosed in double quotes"),
        (b"\xff{}", "(root): body is not UTF-8 (byte 0: invalid start byte)"),
        (b"[1]", "(root): must be a JSON object, got array [1]"),
    ],
)
def test_bodies_that_are_not_an_object(body: bytes, message: str) -> None:
    (problem,) = _problems(body)
    assert problem.startswith(message)


def test_not_json_is_its_own_error_class() -> None:
    with pytest.raises(ecwid_mock.InvalidJSON):
        ecwid_mock.validate_event(b"not json")


def test_missing_event_type_reports_the_envelope(order_updated: dict[str, Any]) -> None:
    del order_updated["eventType"]
    assert _problems(order_updated) == ["eventType: required field is missing"]


def test_a_misspelt_case_is_suggested(order_updated: dict[str, Any]) -> None:
    order_updated["eventType"] = "ORDER.UPDATED"
    assert any(p.endswith("closest known: order.updated") for p in _problems(order_updated))


def test_tolerated_alias_is_refused_in_strict_mode() -> None:
    payload = {
        "eventId": "b7e0c5d2-1a44-4f3e-8c61-0d9e2f7a1b35",
        "eventCreated": 1725434601,
        "storeId": 61882411,
        "entityId": "61882411",
        "eventType": "application.subscription_status_changed",
        "data": {"oldSubscriptionStatus": "TRIAL", "newSubscriptionStatus": "ACTIVE"},
    }
    assert ecwid_mock.validate_event(payload)["eventType"] == payload["eventType"]
    (problem,) = _problems(payload, strict=True)
    assert problem == (
        "eventType: unknown event type 'application.subscription_status_changed'; "
        "closest known: application.subscriptionStatusChanged"
    )


def test_tolerant_alternatives_are_explained_by_the_documented_form() -> None:
    payload = {
        "eventId": "1",
        "eventCreated": 1,
        "storeId": 1003,
        "entityId": 5,
        "eventType": "review.updated",
        "data": {"productId": 1, "orderId": 2, "status": "hidden"},
    }
    assert _problems(payload) == [
        "data.status: 'hidden' is not one of MODERATED, PUBLISHED, moderated, published"
    ]
    payload["data"] = {"orderId": 7}
    payload["eventType"] = "order.deleted"
    assert _problems(payload) == ["data.orderId: must be a string, got integer 7"]


def test_validators_are_built_once_and_the_schema_is_not_rechecked(
    order_updated: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("check_schema must not run while validating payloads")

    monkeypatch.setattr(jsonschema.Draft202012Validator, "check_schema", classmethod(refuse))
    ecwid_mock.validate_event(order_updated)
    before = _validate._fast.cache_info()
    for _ in range(3):
        ecwid_mock.validate_event(order_updated)
        assert not ecwid_mock.is_valid_event({**order_updated, "storeId": 0})
    after = _validate._fast.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_unknown_event_type_error_from_event_info() -> None:
    with pytest.raises(
        ecwid_mock.UnknownEventType, match=re.escape("did you mean 'order.created'")
    ):
        ecwid_mock.event_info("order.craeted")
    with pytest.raises(ecwid_mock.UnknownEventType, match="run `ecwid-mock events`"):
        ecwid_mock.event_info("zzz")


def test_event_info_is_derived_from_the_schema() -> None:
    info = ecwid_mock.event_info("order.updated")
    assert (info.entity, info.action, info.scope) == ("order", "updated", "read_orders")
    assert info.entity_id.startswith("The internal order id")
    assert [f.name for f in info.data_fields] == [
        "orderId",
        "oldPaymentStatus",
        "newPaymentStatus",
        "oldFulfillmentStatus",
        "newFulfillmentStatus",
    ]
    assert "PAID" in info.data_fields[1].enum
    assert info.documented
    assert info.confidence == "high"
    assert ecwid_mock.event_info("application.installed").entity_id_type == "string"
