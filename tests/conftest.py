"""Shared helpers of the test suite."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
PAYLOAD_EXAMPLES = Path(__file__).resolve().parent / "payload_examples"


def _import_once_for_the_session() -> None:
    """Keep one copy of modules that pytester's in-process runs would otherwise re-import.

    pytester removes the modules an inner run imported when it ends. A native extension keeps
    its first classes (cryptography's elliptic curves, used by trustme) and rejects re-imported
    ones ("TypeError: curve must be an EllipticCurve instance"); and ecwid_mock's package
    caches the classes it exports lazily, so a re-imported submodule would bring a second
    Event class. Importing them here, before any inner run, keeps one copy.
    """
    for name in (
        "cryptography.hazmat.primitives.asymmetric.ec",
        "trustme",
        "ecwid_mock._mock_ecwid",
        "ecwid_mock._servers.reference",
        "ecwid_mock._delivery.sender",
        "ecwid_mock._servers.tls",
        "ecwid_mock.conformance",
        "ecwid_mock.strategies",
        "pytest_ecwid._conformance",
        "pytest_ecwid._support",
    ):
        importlib.import_module(name)


_import_once_for_the_session()


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
