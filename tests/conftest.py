"""Shared helpers of the test suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# pytester's in-process runs remove the modules they imported when they end. A native
# extension that keeps its first classes (cryptography's elliptic curves, used by trustme)
# then rejects the re-imported ones ("TypeError: curve must be an EllipticCurve instance").
# Importing them here keeps one copy for the whole session.
import cryptography.hazmat.primitives.asymmetric.ec  # noqa: F401
import pytest
import trustme  # noqa: F401

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
