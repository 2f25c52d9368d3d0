"""ecwid-mock: realistic, signed Ecwid webhook events, schemas, and a mock Ecwid sender.

Everything public is importable from here. Submodules load on first use, so
``import ecwid_mock`` stays cheap for every pytest run that has the plugin installed.
"""

from __future__ import annotations

import importlib

from ._errors import (
    DeliveryAssertionError,
    EcwidMockError,
    InvalidEvent,
    InvalidOption,
    InvalidOverride,
    ScrubError,
    StoreAssertionError,
    UnknownEventType,
    WebhookUrlError,
)
from ._version import __version__

# No typing at run time: every pytest run with the plugin installed imports this package.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from ._clock import RealClock, VirtualClock
    from ._delivery.record import Attempt, Delivery, DeliverySummary, Outcome
    from ._delivery.retry import RetryPolicy
    from ._delivery.sender import AsyncSender, Sender
    from ._delivery.url import check_webhook_url
    from ._delivery.verdict import ERROR_KINDS, Judgement, judge
    from ._events.app import EcwidApp
    from ._events.event import Event
    from ._events.factory import DELETE, EventFactory
    from ._events.signature_modes import SIGNATURE_MODES
    from ._events.signing import TEST_CLIENT_SECRET, Secret, sign, verify_signature
    from ._mock_ecwid import MockEcwid
    from ._replay.capture import CaptureMiddleware, WSGICaptureMiddleware
    from ._replay.cassette import BadLine, Cassette, Interaction, cassette_path
    from ._replay.drift import DriftFinding, DriftReport, find_drift
    from ._replay.replay import replay_events
    from ._replay.scrub import Scrubber, scrub
    from ._schemas.catalog import DataField, EventInfo, event_info, schema_for
    from ._schemas.contract import Contract, contract
    from ._schemas.parse import parse_event
    from ._schemas.rest import rest_schema
    from ._schemas.validate import InvalidJSON, is_valid_event, validate_event
    from ._servers.store import EcwidStore
    from ._servers.store_api import StoreCall, StoreCalls
    from ._servers.tls import LocalHTTPSServer, TestCertificates
    from ._store.changes import Change, feedback_writes
    from ._transports.wire import Timeouts

    EVENT_TYPES: tuple[str, ...]

__all__ = [
    "DELETE",
    "ERROR_KINDS",
    "EVENT_TYPES",
    "SIGNATURE_MODES",
    "TEST_CLIENT_SECRET",
    "AsyncSender",
    "Attempt",
    "BadLine",
    "CaptureMiddleware",
    "Cassette",
    "Change",
    "Contract",
    "DataField",
    "Delivery",
    "DeliveryAssertionError",
    "DeliverySummary",
    "DriftFinding",
    "DriftReport",
    "EcwidApp",
    "EcwidMockError",
    "EcwidStore",
    "Event",
    "EventFactory",
    "EventInfo",
    "Interaction",
    "InvalidEvent",
    "InvalidJSON",
    "InvalidOption",
    "InvalidOverride",
    "Judgement",
    "LocalHTTPSServer",
    "MockEcwid",
    "Outcome",
    "RealClock",
    "RetryPolicy",
    "ScrubError",
    "Scrubber",
    "Secret",
    "Sender",
    "StoreAssertionError",
    "StoreCall",
    "StoreCalls",
    "TestCertificates",
    "Timeouts",
    "UnknownEventType",
    "VirtualClock",
    "WSGICaptureMiddleware",
    "WebhookUrlError",
    "__version__",
    "cassette_path",
    "check_webhook_url",
    "contract",
    "event_info",
    "feedback_writes",
    "find_drift",
    "is_valid_event",
    "judge",
    "parse_event",
    "replay_events",
    "rest_schema",
    "schema_for",
    "scrub",
    "sign",
    "validate_event",
    "verify_signature",
]

# name -> submodule that defines it; loaded on first attribute access (PEP 562).
_LAZY = {
    "RealClock": "_clock",
    "VirtualClock": "_clock",
    "Attempt": "_delivery.record",
    "Delivery": "_delivery.record",
    "DeliverySummary": "_delivery.record",
    "Outcome": "_delivery.record",
    "DELETE": "_events.factory",
    "EventFactory": "_events.factory",
    "EcwidApp": "_events.app",
    "SIGNATURE_MODES": "_events.signature_modes",
    "TEST_CLIENT_SECRET": "_events.signing",
    "MockEcwid": "_mock_ecwid",
    "RetryPolicy": "_delivery.retry",
    "AsyncSender": "_delivery.sender",
    "Sender": "_delivery.sender",
    "EcwidStore": "_servers.store",
    "StoreCall": "_servers.store_api",
    "StoreCalls": "_servers.store_api",
    "Change": "_store.changes",
    "feedback_writes": "_store.changes",
    "rest_schema": "_schemas.rest",
    "LocalHTTPSServer": "_servers.tls",
    "TestCertificates": "_servers.tls",
    "Timeouts": "_transports.wire",
    "check_webhook_url": "_delivery.url",
    "ERROR_KINDS": "_delivery.verdict",
    "Judgement": "_delivery.verdict",
    "judge": "_delivery.verdict",
    "Contract": "_schemas.contract",
    "contract": "_schemas.contract",
    "DataField": "_schemas.catalog",
    "EventInfo": "_schemas.catalog",
    "event_info": "_schemas.catalog",
    "schema_for": "_schemas.catalog",
    "Event": "_events.event",
    "Secret": "_events.signing",
    "sign": "_events.signing",
    "verify_signature": "_events.signing",
    "InvalidJSON": "_schemas.validate",
    "is_valid_event": "_schemas.validate",
    "validate_event": "_schemas.validate",
    "parse_event": "_schemas.parse",
    "CaptureMiddleware": "_replay.capture",
    "WSGICaptureMiddleware": "_replay.capture",
    "BadLine": "_replay.cassette",
    "Cassette": "_replay.cassette",
    "Interaction": "_replay.cassette",
    "cassette_path": "_replay.cassette",
    "DriftFinding": "_replay.drift",
    "DriftReport": "_replay.drift",
    "find_drift": "_replay.drift",
    "replay_events": "_replay.replay",
    "Scrubber": "_replay.scrub",
    "scrub": "_replay.scrub",
}


def __getattr__(name: str) -> Any:
    if name == "EVENT_TYPES":
        from ._schemas.catalog import event_types

        value: Any = event_types()
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
