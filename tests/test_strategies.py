"""Hypothesis strategies: every drawn payload validates, and the edges are really explored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import find as _find
from hypothesis.strategies import SearchStrategy

from ecwid_mock import Event, UnknownEventType, is_valid_event, validate_event, verify_signature
from ecwid_mock._schemas.catalog import all_event_types
from ecwid_mock.strategies import events, payloads

ENVELOPE_ORDER = ["eventId", "eventCreated", "storeId", "entityId", "eventType", "data"]
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# find()'s own budget, without its shrink phase: these tests ask whether a strategy reaches a
# value, not for the smallest payload holding it (shrinking a payload took seconds per call).
SEARCH = settings(max_examples=2000, phases=[Phase.explicit, Phase.reuse, Phase.generate])


def find(strategy: SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    """The first drawn value meeting ``condition`` (hypothesis.find, not shrunk)."""
    return _find(strategy, condition, settings=SEARCH)


@pytest.mark.parametrize("event_type", all_event_types())
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "tolerant"])
def test_payloads_validate_for_every_type(event_type: str, strict: bool) -> None:
    @FAST
    @given(payloads(event_type, strict=strict))
    def check(payload: dict[str, Any]) -> None:
        validate_event(payload, strict=strict)
        known = [key for key in payload if key in ENVELOPE_ORDER]
        assert known == [key for key in ENVELOPE_ORDER if key in payload]

    check()


@settings(max_examples=200, deadline=None)
@given(payloads())
def test_payloads_of_any_type_validate_strictly(payload: dict[str, Any]) -> None:
    validate_event(payload, strict=True)


@settings(max_examples=50, deadline=None)
@given(events(["order.updated", "customer.created"], client_secret="k"))
def test_events_are_signed_event_objects(event: Event) -> None:
    assert verify_signature(event.body, event.signature, "k")
    assert event.event_type in ("order.updated", "customer.created")
    validate_event(event.body, strict=True)


@settings(max_examples=20, deadline=None)
@given(events("product.updated"))
def test_events_default_to_the_test_secret(event: Event) -> None:
    assert verify_signature(event.body, event.signature, "ecwid-mock-test-client-secret")


def test_strings_explore_unicode() -> None:
    found = find(payloads("order.created"), lambda p: any(ord(c) > 0xFFFF for c in p["eventId"]))
    assert is_valid_event(found, strict=True)


@pytest.mark.parametrize(
    ("field", "edge"),
    [
        ("eventCreated", 0),
        ("eventCreated", 2**31),
        ("eventCreated", 9_999_999_999),  # the schema's maximum: seconds, not milliseconds
        ("entityId", 2**53 - 1),
        ("storeId", 2**63 - 1),
    ],
)
def test_integers_reach_the_boundaries(field: str, edge: int) -> None:
    found = find(payloads("product.updated"), lambda p: p[field] == edge)
    assert found[field] == edge


def test_optional_data_is_absent_null_or_empty_where_allowed() -> None:
    strategy = payloads("category.created")
    assert "data" not in find(strategy, lambda p: "data" not in p)
    assert find(strategy, lambda p: "data" in p and p["data"] is None)["data"] is None
    assert find(strategy, lambda p: p.get("data") == {})["data"] == {}


def test_tolerant_payloads_include_older_forms_and_unknown_fields() -> None:
    older = find(payloads("order.deleted", strict=False), lambda p: p.get("data", 1) is None)
    assert not is_valid_event(older, strict=True)
    assert is_valid_event(older, strict=False)
    extra = find(payloads("product.updated", strict=False), lambda p: len(p) > 6)
    assert is_valid_event(extra, strict=False)
    alias = find(
        payloads("application.subscriptionStatusChanged", strict=False),
        lambda p: p["eventType"] != "application.subscriptionStatusChanged",
    )
    assert alias["eventType"] == "application.subscription_status_changed"


def test_enums_cover_every_value() -> None:
    for status in ("PAID", "REFUNDED", "CUSTOM_PAYMENT_STATUS_3"):
        found = find(
            payloads("order.updated"), lambda p, s=status: p["data"]["newPaymentStatus"] == s
        )
        assert found["data"]["newPaymentStatus"] == status


def test_unknown_type_is_refused_when_the_strategy_is_made() -> None:
    with pytest.raises(UnknownEventType, match=r"did you mean 'order\.created'"):
        payloads("order.creatd")


def test_missing_hypothesis_gives_a_clear_error() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n"
        "    import ecwid_mock.strategies\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "ecwid_mock.strategies needs Hypothesis: pip install hypothesis" in result.stdout


def test_importing_ecwid_mock_does_not_import_hypothesis() -> None:
    code = "import sys, ecwid_mock; ecwid_mock.EventFactory; print('hypothesis' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
