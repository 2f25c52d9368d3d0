"""parse_event: validate_event's verdict and errors, the expected type checked, aliases renamed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PAYLOAD_EXAMPLES, load_json, payload_example_files

import ecwid_mock
from ecwid_mock._schemas import catalog as _catalog


def _payload_id(path: Path) -> str:
    return path.relative_to(PAYLOAD_EXAMPLES).as_posix()


@pytest.mark.parametrize("event_type", _catalog.all_event_types())
def test_every_schema_example_parses_as_its_type(event_type: str) -> None:
    example = _catalog.schema_for(event_type)["examples"][0]
    body = json.dumps(example).encode()
    assert ecwid_mock.parse_event(body, event_type) == example
    assert ecwid_mock.parse_event(example, strict=True) == example


@pytest.mark.parametrize("path", payload_example_files(), ids=_payload_id)
def test_every_payload_example_parses(path: Path) -> None:
    payload = load_json(path)
    name = _catalog.event_info(payload["eventType"]).event_type
    parsed = ecwid_mock.parse_event(path.read_bytes(), name)
    assert parsed == {**payload, "eventType": name}
    assert ecwid_mock.validate_event(path.read_bytes()) == payload


BAD_BODIES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"{not json", id="not-json"),
    pytest.param(b"\xff\xfe", id="not-utf8"),
    pytest.param("[1, 2]", id="not-an-object"),
    pytest.param({"eventType": "order.updatd"}, id="unknown-type"),
    pytest.param({"eventType": 7}, id="type-not-a-string"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_errors_are_the_validators_errors(body: Any) -> None:
    with pytest.raises(ecwid_mock.InvalidEvent) as expected:
        ecwid_mock.validate_event(body, source="hook.json")
    with pytest.raises(ecwid_mock.InvalidEvent) as caught:
        ecwid_mock.parse_event(body, "order.updated", source="hook.json")
    assert type(caught.value) is type(expected.value)
    assert str(caught.value) == str(expected.value)


def test_schema_errors_are_the_validators_errors(order_updated: dict[str, Any]) -> None:
    del order_updated["data"]["orderId"]
    order_updated["data"]["newPaymentStatus"] = "PAYED"
    for strict in (False, True):
        with pytest.raises(ecwid_mock.InvalidEvent) as expected:
            ecwid_mock.validate_event(order_updated, strict=strict)
        with pytest.raises(ecwid_mock.InvalidEvent) as caught:
            ecwid_mock.parse_event(order_updated, "order.updated", strict=strict)
        assert caught.value.problems == expected.value.problems
        assert str(caught.value) == str(expected.value)


def test_an_event_of_another_type_is_refused(order_updated: dict[str, Any]) -> None:
    with pytest.raises(ecwid_mock.InvalidEvent) as caught:
        ecwid_mock.parse_event(order_updated, "order.created")
    assert [str(p) for p in caught.value.problems] == [
        "eventType: must be 'order.created', got 'order.updated'"
    ]
    assert caught.value.event_type == "order.updated"


def test_an_unknown_expected_type_names_the_closest(order_updated: dict[str, Any]) -> None:
    for body in (b"{}", order_updated):  # said first, whether the body is valid or not
        with pytest.raises(ecwid_mock.UnknownEventType, match=r"did you mean 'order\.updated'"):
            ecwid_mock.parse_event(body, "order.updatd")
    with pytest.raises(ecwid_mock.InvalidEvent):
        ecwid_mock.parse_event(b"{}", "order.updated")


def test_the_expected_type_may_be_a_tolerated_alias() -> None:
    payload = _catalog.schema_for("application.storageChanged")["examples"][0]
    parsed = ecwid_mock.parse_event(payload, "application.storage_changed")
    assert parsed["eventType"] == "application.storageChanged"


def test_a_tolerated_alias_gets_its_documented_name() -> None:
    payload = _catalog.schema_for("application.storageChanged")["examples"][0]
    payload["eventType"] = "application.storage_changed"
    original = copy.deepcopy(payload)
    parsed = ecwid_mock.parse_event(payload)
    assert parsed["eventType"] == "application.storageChanged"
    assert ecwid_mock.parse_event(payload, "application.storageChanged") == parsed
    assert payload == original  # the caller's dict is left alone
    with pytest.raises(ecwid_mock.InvalidEvent) as caught:
        ecwid_mock.parse_event(payload, strict=True)
    assert "unknown event type 'application.storage_changed'" in str(caught.value)


def test_the_result_is_a_plain_dict_of_its_own(order_updated: dict[str, Any]) -> None:
    parsed = ecwid_mock.parse_event(order_updated)
    assert type(parsed) is dict
    assert parsed == order_updated
    assert parsed is not order_updated
