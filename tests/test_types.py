"""ecwid_mock.types agrees with the schemas: keys, presence and value types, for every event type.

Presence is checked by behaviour, not by re-deriving it: a key is ``NotRequired`` exactly when the
tolerant validator still accepts the schema's example without it. Value types are checked by
pydantic in strict mode (no coercion) on every documented payload.
"""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from conftest import load_json, payload_example_files
from typing_extensions import is_typeddict

import ecwid_mock
from ecwid_mock import types
from ecwid_mock._schemas import catalog as _catalog
from ecwid_mock._schemas.nodes import flatten

EVENT_TYPES = _catalog.all_event_types()


def _example(event_type: str) -> dict[str, Any]:
    example: dict[str, Any] = _catalog.schema_for(event_type)["examples"][0]
    return example


def _data_typeddict(typed: Any) -> Any:
    """The TypedDict of ``data`` in an event's TypedDict, or None for events without details."""
    hint = typing.get_type_hints(typed)["data"]
    members = [t for t in (typing.get_args(hint) or (hint,)) if is_typeddict(t)]
    return members[0] if members else None


def _properties(schema: dict[str, Any]) -> set[str]:
    return {name for part in flatten(schema) for name in part.get("properties", {})}


def test_every_event_type_has_its_typeddict() -> None:
    assert list(types.EVENT_TYPEDDICTS) == list(EVENT_TYPES)
    assert set(typing.get_args(types.EventType)) == set(EVENT_TYPES)
    assert set(typing.get_args(types.WebhookEvent)) == set(types.EVENT_TYPEDDICTS.values())
    assert "size_chart.created" in types.EVENT_TYPEDDICTS  # the flagged undocumented extras
    assert "UNDOCUMENTED" in (types.SizeChartCreated.__doc__ or "")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_keys_are_the_schema_properties(event_type: str) -> None:
    typed = types.EVENT_TYPEDDICTS[event_type]  # type: ignore[index]
    strict = _catalog.schema_for(event_type, strict=True)
    assert set(typed.__annotations__) == _properties(strict)
    data = _data_typeddict(typed)
    data_schema = strict["properties"].get("data", {})
    if data is None:
        assert not _properties(data_schema), "data has fields but no TypedDict"
    else:
        assert set(data.__annotations__) == _properties(data_schema)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_not_required_exactly_where_tolerant_mode_accepts_the_key_missing(event_type: str) -> None:
    typed = types.EVENT_TYPEDDICTS[event_type]  # type: ignore[index]
    example = _example(event_type)
    for key in typed.__annotations__:
        rest = {k: v for k, v in example.items() if k != key}
        assert ecwid_mock.is_valid_event(rest) == (key in typed.__optional_keys__), key
    data = _data_typeddict(typed)
    for key in data.__annotations__ if data is not None else ():
        rest = {**example, "data": {k: v for k, v in example["data"].items() if k != key}}
        assert ecwid_mock.is_valid_event(rest) == (key in data.__optional_keys__), f"data.{key}"


def test_tolerant_presence_and_documented_values() -> None:
    hints = typing.get_type_hints(types.OrderUpdatedData)
    assert "orderId" in types.OrderUpdatedData.__optional_keys__  # the G1 form has none
    assert hints["newPaymentStatus"] == types.PaymentStatus
    assert typing.get_type_hints(types.ApplicationInstalled)["entityId"] is str
    assert typing.get_type_hints(types.OrderDeleted)["data"] == types.OrderDeletedData | None
    assert typing.get_args(types.ReviewStatus) == ("MODERATED", "PUBLISHED")


def _documented_payloads() -> list[Any]:
    found = [pytest.param(_example(t), id=t) for t in EVENT_TYPES]
    found += [
        pytest.param(load_json(p), id=p.name)
        for p in payload_example_files()
        if ".tolerant." not in p.name
    ]
    return found


@pytest.mark.parametrize("payload", _documented_payloads())
def test_documented_payloads_have_the_typed_values(payload: dict[str, Any]) -> None:
    pydantic = pytest.importorskip("pydantic")
    typed = types.EVENT_TYPEDDICTS[payload["eventType"]]
    checked = pydantic.TypeAdapter(typed).validate_python(payload, strict=True)
    assert checked == payload


def test_factory_output_has_the_typed_values() -> None:
    pydantic = pytest.importorskip("pydantic")
    adapter = pydantic.TypeAdapter(types.WebhookEvent)
    factory = ecwid_mock.EventFactory(seed=7)
    for event_type in EVENT_TYPES:
        payload = factory.build(event_type).payload
        assert adapter.validate_python(payload, strict=True) == payload, event_type


def test_types_cost_nothing_at_import_or_parse_time() -> None:
    code = (
        "import sys, ecwid_mock; "
        "print('ecwid_mock.types' in sys.modules); "
        'ecwid_mock.parse_event(\'{"eventId": "e", "eventCreated": 1, "storeId": 1003, '
        '"entityId": 5, "eventType": "product.updated"}\'); '
        "print('ecwid_mock.types' in sys.modules, 'pydantic' in sys.modules)"
    )
    cwd = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    assert done.stdout.split() == ["False", "False", "False"]


def test_the_docs_examples_run() -> None:
    pytest.importorskip("fastapi")
    import asyncio

    import httpx

    page = (Path(__file__).resolve().parent.parent / "docs" / "types.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) == 3
    namespace: dict[str, Any] = {"__name__": "docs_types"}
    exec(compile("\n".join(blocks), "docs/types.md", "exec"), namespace)
    body: bytes = namespace["body"]

    async def post(content: bytes) -> httpx.Response:
        transport = httpx.ASGITransport(app=namespace["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            headers = {"Content-Type": "application/json; charset=UTF-8"}  # as Ecwid sends
            return await client.post("/webhooks/ecwid", content=content, headers=headers)

    assert asyncio.run(post(body)).json() == {"eventType": "order.updated"}
    assert asyncio.run(post(body.replace(b'"PAID"', b'"PAYED"'))).status_code == 422
