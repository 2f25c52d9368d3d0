"""schemas/rest: valid draft 2020-12 schemas; their examples and the seeded records pass."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import SCHEMAS

from ecwid_mock import rest_schema
from ecwid_mock._schemas.rest import api_facts, rest_schema_names, validate_rest
from ecwid_mock._store.state import FAMILIES, StoreState
from ecwid_mock._store.writes import public

NAMES = rest_schema_names()


def test_there_is_a_schema_per_entity_of_the_facts() -> None:
    refs = {
        ep["response"].get("ref") or ep["response"].get("itemsRef")
        for ep in api_facts()["endpoints"]
    } - {None}
    stems = {re.sub(r"(?<!^)(?=[A-Z])", "-", ref).lower() for ref in refs}
    assert stems <= set(NAMES)
    assert len(NAMES) >= 38


@pytest.mark.parametrize("name", NAMES)
def test_each_file_is_a_strict_draft_2020_12_schema(name: str) -> None:
    raw = json.loads((SCHEMAS / "rest" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert raw["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert raw["$id"].endswith(f"/schemas/rest/{name}.schema.json")
    assert raw["title"]
    assert "Confidence" in raw["description"]
    assert raw["additionalProperties"] is False
    assert isinstance(raw["required"], list)
    jsonschema.Draft202012Validator.check_schema(rest_schema(name))


@pytest.mark.parametrize("name", NAMES)
def test_examples_validate(name: str) -> None:
    rest_schema(name)
    raw = json.loads((SCHEMAS / "rest" / f"{name}.schema.json").read_text(encoding="utf-8"))
    for example in raw.get("examples", []):
        assert validate_rest(example, name) == []


def test_tolerant_mode_accepts_fields_ecwid_may_add() -> None:
    order = {"id": "K8XTQ", "futureField": 1}
    assert any("futureField" in p for p in validate_rest(order, "order-item"))
    assert not any("futureField" in p for p in validate_rest(order, "order-item", strict=False))


def test_every_seeded_record_validates_strictly() -> None:
    state = StoreState(seed=11).seed(
        orders=50, carts=5, coupons=3, promotions=3, classes=2, reviews=10
    )
    for name, records in state.families.items():
        schema = FAMILIES[name].schema
        for record in records.values():
            assert validate_rest(public(record), schema) == [], (name, record.get("id"))
    assert validate_rest(state.profile, "store-profile") == []


def test_a_broken_record_is_caught() -> None:
    state = StoreState(seed=11).seed(orders=1)
    order = dict(next(iter(state.orders.values())))
    order["createDate"] = "2024-09-04T07:22:09Z"
    del order["internalId"]
    problems = validate_rest(order, "order")
    assert any("createDate" in p for p in problems)
    assert any("internalId" in p for p in problems)
