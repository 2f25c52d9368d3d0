"""Shared helpers of the test suite."""

from __future__ import annotations

import importlib
import json
import os
import sys
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
    Event class; httpx keeps the httpcore exception classes it first saw, so a re-imported
    httpcore's ConnectError would escape unmapped. Importing them here, before any inner run,
    keeps one copy.
    """
    for name in (
        "cryptography.hazmat.primitives.asymmetric.ec",
        "httpcore",
        "httpx",
        "trustme",
        "ecwid_mock._mock_ecwid",
        "ecwid_mock._servers.reference",
        "ecwid_mock._delivery.sender",
        "ecwid_mock._servers.tls",
        "ecwid_mock._servers.store",
        "ecwid_mock._servers._store_transport",
        "ecwid_mock.conformance",
        "ecwid_mock.strategies",
        "pytest_ecwid._conformance",
        "pytest_ecwid._support",
    ):
        importlib.import_module(name)


_import_once_for_the_session()

# Where PYTHONDONTWRITEBYTECODE is set (some CI images set it), every interpreter of a run (each
# xdist worker, each CLI and pytest subprocess) would compile the project and rewrite the test
# modules' asserts again: seconds of CPU each. The suite caches them (__pycache__ is ignored).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def deep_dict(depth: int) -> dict[str, Any]:
    """A dict nested ``depth`` levels (built without recursion)."""
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return root


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


# --- the mock store, with every answer checked against its REST schema -------------------------


def schema_problems(call: Any) -> list[str]:
    """What is wrong with one REST answer of the mock store, per schemas/rest (empty: valid)."""
    import re

    from ecwid_mock._schemas.rest import endpoint, validate_rest

    if call.status != 200:
        return validate_rest(call.body, "error")
    if "responseFields" in call.query:
        return []  # a field selection leaves required fields out on purpose
    answer = endpoint(call.endpoint)["response"]
    if answer["kind"] == "html":
        return [] if isinstance(call.body, str) else ["expected an HTML page"]
    ref = answer.get("ref") or answer.get("itemsRef")
    if ref is None:
        return []
    name = re.sub(r"(?<!^)(?=[A-Z])", "-", ref).lower()
    problems = validate_rest(call.body, name, kind=answer["kind"])
    if call.endpoint == "order.calculate":  # a calculation is an order not placed: no ids, no dates
        problems = [p for p in problems if "is a required property" not in p]
    return problems


@pytest.fixture
def store() -> Any:
    """A seeded mock store whose every REST answer must validate against its schema."""
    from ecwid_mock import EcwidStore

    def check(call: Any) -> None:
        problems = schema_problems(call)
        assert not problems, f"{call}: {problems[:5]}"

    return EcwidStore(seed=7, store_id=1003, on_request=check).seed(
        orders=40, products=25, carts=5, coupons=4, promotions=3, classes=2, reviews=10
    )


@pytest.fixture
def client(store: Any) -> Any:
    """An httpx client of the installed app, talking to ``store`` in-process."""
    import httpx

    with httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    ) as http:
        yield http


@pytest.fixture(autouse=True)
def _secret_registry_per_test() -> Any:
    """Secrets a test registers are forgotten after it: a test's secret "other" must not mask
    the word in another test's message (in real use every registered secret stays masked)."""
    from ecwid_mock import _secrets

    with _secrets._lock:
        saved = dict(_secrets._values)
    yield
    with _secrets._lock:
        _secrets._values.clear()
        _secrets._values.update(saved)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow first (in their order), so that under ``-n`` the workers share them
    early and the run does not end on one worker finishing a long test alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Secrets registered while collecting (parametrize arguments) are forgotten too."""
    from ecwid_mock import _secrets

    with _secrets._lock:
        _secrets._values.clear()
