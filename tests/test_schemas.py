"""The schema files: well-formed, complete, faithful to the facts, and their examples valid."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from conftest import (
    PAYLOAD_EXAMPLES,
    ROOT,
    SCHEMAS,
    event_schema_files,
    load_json,
    payload_example_files,
    schema_files,
)

import ecwid_mock
from ecwid_mock._schemas import catalog as _catalog

# The 42 event types of Ecwid's current "List of webhook events" page (facts section 3.1).
DOCUMENTED = sorted(
    [
        "profile.updated",
        "profile.subscriptionStatusChanged",
        "order.created",
        "order.updated",
        "order.deleted",
        "unfinished_order.created",
        "unfinished_order.updated",
        "unfinished_order.deleted",
        "product.created",
        "product.updated",
        "product.deleted",
        "category.created",
        "category.updated",
        "category.deleted",
        "customer.created",
        "customer.updated",
        "customer.deleted",
        "customer_group.created",
        "customer_group.updated",
        "customer_group.deleted",
        "discount_coupon.created",
        "discount_coupon.updated",
        "discount_coupon.deleted",
        "promotion.created",
        "promotion.updated",
        "promotion.deleted",
        "product_class.created",
        "product_class.updated",
        "product_class.deleted",
        "review.created",
        "review.updated",
        "review.deleted",
        "invoice.created",
        "invoice.deleted",
        "application.installed",
        "application.uninstalled",
        "application.subscriptionStatusChanged",
        "application.storageChanged",
        "customer.personalDataRemovalRequest",
        "customer.personalDataExportRequest",
        "profile.personalDataRemovalRequest",
        "profile.personalDataExportRequest",
    ]
)
UNDOCUMENTED = ["size_chart.created", "size_chart.deleted", "size_chart.updated"]


def _rel(path: Path) -> str:
    return path.relative_to(SCHEMAS).as_posix()


@pytest.mark.parametrize("path", schema_files(), ids=_rel)
def test_schema_passes_the_2020_12_metaschema(path: Path) -> None:
    schema = load_json(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", schema_files(), ids=_rel)
def test_schema_has_id_title_and_description(path: Path) -> None:
    schema = load_json(path)
    assert schema["$id"].endswith("/schemas/" + _rel(path))
    assert schema["title"]
    assert len(schema["description"]) > 40


@pytest.mark.parametrize("path", event_schema_files(), ids=_rel)
def test_event_schema_shape(path: Path) -> None:
    schema = load_json(path)
    entity, action = path.parent.name, path.name.removesuffix(".schema.json")
    assert schema["title"] == f"{entity} {action} event"
    assert {"eventId", "eventCreated", "storeId", "entityId", "eventType"} <= set(
        schema["required"]
    )
    assert schema["$ref"] == "../../envelope.schema.json"
    assert schema["unevaluatedProperties"] is False
    assert schema["examples"], "every event schema needs a realistic example"
    info = ecwid_mock.event_info(f"{entity}.{action}")
    assert info.schema_path == "events/" + _rel(path).removeprefix("events/")
    for word in ("entityId", "Scope", "Confidence"):
        assert word in schema["description"], f"description must say {word}"


@pytest.mark.parametrize("path", event_schema_files(), ids=_rel)
def test_every_example_validates_in_strict_mode(path: Path) -> None:
    for example in load_json(path)["examples"]:
        assert ecwid_mock.validate_event(example, strict=True) == example


def test_documented_event_types_are_pinned() -> None:
    assert len(DOCUMENTED) == 42
    assert list(ecwid_mock.EVENT_TYPES) == DOCUMENTED


def test_size_chart_events_have_schemas_but_are_not_in_the_default_list() -> None:
    assert _catalog.all_event_types() == tuple(sorted(DOCUMENTED + UNDOCUMENTED))
    for event_type in UNDOCUMENTED:
        info = ecwid_mock.event_info(event_type)
        assert info.documented is False
        assert info.description.startswith("UNDOCUMENTED")
        assert event_type not in ecwid_mock.EVENT_TYPES


def _examples() -> list[tuple[str, dict[str, Any]]]:
    return [
        (t, load_json(SCHEMAS / ecwid_mock.event_info(t).schema_path)["examples"][0])
        for t in _catalog.all_event_types()
    ]


@pytest.mark.parametrize(("event_type", "example"), _examples(), ids=lambda v: str(v)[:40])
def test_unknown_fields_fail_strict_and_pass_tolerant(
    event_type: str, example: dict[str, Any]
) -> None:
    top = {**example, "futureField": 1}
    assert ecwid_mock.is_valid_event(top)
    assert not ecwid_mock.is_valid_event(top, strict=True)
    if isinstance(example.get("data"), dict):
        nested = copy.deepcopy(example)
        nested["data"]["futureField"] = "x"
        assert ecwid_mock.is_valid_event(nested)
        assert not ecwid_mock.is_valid_event(nested, strict=True)


def _payload_id(path: Path) -> str:
    return path.relative_to(PAYLOAD_EXAMPLES).as_posix()


@pytest.mark.parametrize("path", payload_example_files(), ids=_payload_id)
def test_payload_examples(path: Path) -> None:
    body = path.read_bytes()
    ecwid_mock.validate_event(body)  # every real payload is accepted in tolerant mode
    if ".tolerant." in path.name:
        assert not ecwid_mock.is_valid_event(body, strict=True), "only the tolerant mode accepts it"
    else:
        ecwid_mock.validate_event(body, strict=True)


def test_payload_examples_cover_every_entity_family() -> None:
    families = {p.parent.name for p in payload_example_files()}
    assert families >= {"order", "unfinished_order", "product", "customer", "application"}


# --- fidelity rules of the facts file ----------------------------------------------------------


def test_application_entity_id_is_the_store_id_as_a_string() -> None:
    for event_type in [t for t in ecwid_mock.EVENT_TYPES if t.startswith("application.")]:
        (example,) = load_json(SCHEMAS / ecwid_mock.event_info(event_type).schema_path)["examples"]
        assert example["entityId"] == str(example["storeId"])
        as_number = {**example, "entityId": example["storeId"]}
        assert not ecwid_mock.is_valid_event(as_number, strict=True)
        assert ecwid_mock.is_valid_event(as_number)  # Ecwid's Java client models it as a long


def test_other_entity_ids_are_integers(order_updated: dict[str, Any]) -> None:
    assert not ecwid_mock.is_valid_event({**order_updated, "entityId": "516483487"})


@pytest.mark.parametrize(
    "event_type", [t for t in DOCUMENTED if not ecwid_mock.event_info(t).data_fields]
)
def test_events_without_details_accept_data_absent_or_null(event_type: str) -> None:
    (example,) = load_json(SCHEMAS / ecwid_mock.event_info(event_type).schema_path)["examples"]
    assert "data" not in example
    for strict in (True, False):
        assert ecwid_mock.is_valid_event(example, strict=strict)
        assert ecwid_mock.is_valid_event({**example, "data": None}, strict=strict)
    assert not ecwid_mock.is_valid_event({**example, "data": {"x": 1}}, strict=True)
    assert ecwid_mock.is_valid_event({**example, "data": {"x": 1}})


@pytest.mark.parametrize(
    "field",
    ["oldPaymentStatus", "newPaymentStatus", "oldFulfillmentStatus", "newFulfillmentStatus"],
)
def test_order_updated_requires_all_four_statuses(
    order_updated: dict[str, Any], field: str
) -> None:
    del order_updated["data"][field]
    for strict in (True, False):
        assert not ecwid_mock.is_valid_event(order_updated, strict=strict)


@pytest.mark.parametrize("event_type", ["customer.created", "customer.updated", "customer.deleted"])
def test_customer_events_carry_the_email(event_type: str) -> None:
    info = ecwid_mock.event_info(event_type)
    assert [(f.name, f.required) for f in info.data_fields] == [("customerEmail", True)]


@pytest.mark.parametrize(
    "event_type",
    ["unfinished_order.created", "unfinished_order.updated", "unfinished_order.deleted"],
)
def test_unfinished_orders_carry_order_and_cart_ids(event_type: str) -> None:
    info = ecwid_mock.event_info(event_type)
    assert {f.name for f in info.data_fields if f.required} == {"orderId", "cartId"}
    (example,) = load_json(SCHEMAS / info.schema_path)["examples"]
    del example["data"]["cartId"]
    assert not ecwid_mock.is_valid_event(example, strict=True)
    assert not ecwid_mock.is_valid_event(example)


def test_event_id_is_not_validated_as_a_strict_uuid(order_updated: dict[str, Any]) -> None:
    # A widely copied documentation example has only 11 hex digits in its last group.
    short = {**order_updated, "eventId": "80aece08-40e8-4145-8764-6c2f0d38678"}
    assert ecwid_mock.is_valid_event(short, strict=True)
    assert not ecwid_mock.is_valid_event({**order_updated, "eventId": ""})
    assert not ecwid_mock.is_valid_event({**order_updated, "eventId": 12})


def test_event_created_is_integer_seconds(order_updated: dict[str, Any]) -> None:
    assert not ecwid_mock.is_valid_event({**order_updated, "eventCreated": "1725434529"})
    assert not ecwid_mock.is_valid_event({**order_updated, "eventCreated": 1725434529.5})
    assert not ecwid_mock.is_valid_event({**order_updated, "storeId": "61882411"})


def test_event_type_is_pinned_per_schema(order_updated: dict[str, Any]) -> None:
    schema = ecwid_mock.schema_for("order.updated")
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({**order_updated, "eventType": "order.created"})


FACTS = ROOT.parent / "shared" / "ecwid-events.json"


@pytest.mark.skipif(not FACTS.exists(), reason="the shared facts file is not beside this checkout")
def test_catalogue_agrees_with_the_facts_file() -> None:
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    assert set(facts) == set(_catalog.all_event_types())
    for event_type, fact in facts.items():
        info = ecwid_mock.event_info(event_type)
        assert info.scope == fact["scope"], event_type
        assert info.documented == fact["documented"], event_type
        assert [f.name for f in info.data_fields] == list(fact["data"]), event_type
        assert [f.name for f in info.data_fields if f.required] == fact["dataRequired"]
        for field in info.data_fields:
            if isinstance(fact["data"][field.name], list):
                assert list(field.enum) == fact["data"][field.name], (event_type, field.name)


# --- the two engines agree ----------------------------------------------------------------------


def _corpus() -> list[Any]:
    """Every payload the suite knows, valid and invalid, with mutations of each."""
    corpus: list[Any] = [e for _, e in _examples()]
    corpus += [load_json(p) for p in payload_example_files()]
    mutated: list[Any] = []
    for payload in corpus:
        for key in list(payload):
            without = {k: v for k, v in payload.items() if k != key}
            mutated += [
                without,
                {**payload, key: None},
                {**payload, key: "x"},
                {**payload, key: -1},
            ]
        mutated.append({**payload, "extra": True})
        if isinstance(payload.get("data"), dict):
            for key in payload["data"]:
                mutated.append({**payload, "data": {**payload["data"], key: 0}})
                mutated.append({**payload, "data": {**payload["data"], key: "lower"}})
    return corpus + mutated


def test_fast_and_reference_engines_agree_on_the_whole_corpus() -> None:
    corpus = _corpus()
    assert len(corpus) > 1000
    checked = 0
    for event_type in _catalog.all_event_types():
        for strict in (True, False):
            schema = ecwid_mock.schema_for(event_type, strict=strict)
            fast = jsonschema_rs.Draft202012Validator(schema)
            reference = jsonschema.Draft202012Validator(schema)
            for payload in corpus:
                if payload.get("eventType") not in (event_type, *_aliases(event_type)):
                    continue
                assert fast.is_valid(payload) == reference.is_valid(payload), (strict, payload)
                checked += 1
    assert checked > 1000


def _aliases(event_type: str) -> tuple[str, ...]:
    return ecwid_mock.event_info(event_type).aliases
