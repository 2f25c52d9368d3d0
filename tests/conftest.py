"""Shared helpers of the test suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
PAYLOAD_EXAMPLES = Path(__file__).resolve().parent / "payload_examples"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_files() -> list[Path]:
    return sorted(SCHEMAS.rglob("*.schema.json"))


def event_schema_files() -> list[Path]:
    return sorted((SCHEMAS / "events").rglob("*.schema.json"))


def payload_example_files() -> list[Path]:
    return sorted(PAYLOAD_EXAMPLES.rglob("*.payload.json"))


@pytest.fixture
def order_updated() -> dict[str, Any]:
    """A valid order.updated payload (the schema's own example)."""
    example: dict[str, Any] = load_json(SCHEMAS / "events/order/updated.schema.json")["examples"][0]
    return example
