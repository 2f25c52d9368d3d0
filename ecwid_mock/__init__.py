"""ecwid-mock: realistic, signed Ecwid webhook events, schemas, and a mock Ecwid sender.

Everything public is importable from here. Submodules load on first use, so
``import ecwid_mock`` stays cheap for every pytest run that has the plugin installed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import (
    DeliveryAssertionError,
    EcwidMockError,
    InvalidEvent,
    InvalidOption,
    InvalidOverride,
    UnknownEventType,
    WebhookUrlError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._catalog import DataField, EventInfo, event_info, schema_for
    from ._clock import RealClock, VirtualClock
    from ._delivery import Attempt, Delivery, DeliverySummary, Outcome
    from ._event import Event
    from ._factory import DELETE, EventFactory
    from ._mock_ecwid import MockEcwid
    from ._retry import RetryPolicy
    from ._sender import AsyncSender, Sender
    from ._signature_modes import SIGNATURE_MODES
    from ._signing import TEST_CLIENT_SECRET, Secret, sign, verify_signature
    from ._tls_server import LocalHTTPSServer, TestCertificates
    from ._transport import Timeouts
    from ._url import check_webhook_url
    from ._validate import InvalidJSON, is_valid_event, validate_event

    EVENT_TYPES: tuple[str, ...]

__all__ = [
    "DELETE",
    "EVENT_TYPES",
    "SIGNATURE_MODES",
    "TEST_CLIENT_SECRET",
    "AsyncSender",
    "Attempt",
    "DataField",
    "Delivery",
    "DeliveryAssertionError",
    "DeliverySummary",
    "EcwidMockError",
    "Event",
    "EventFactory",
    "EventInfo",
    "InvalidEvent",
    "InvalidJSON",
    "InvalidOption",
    "InvalidOverride",
    "LocalHTTPSServer",
    "MockEcwid",
    "Outcome",
    "RealClock",
    "RetryPolicy",
    "Secret",
    "Sender",
    "TestCertificates",
    "Timeouts",
    "UnknownEventType",
    "VirtualClock",
    "WebhookUrlError",
    "__version__",
    "check_webhook_url",
    "event_info",
    "is_valid_event",
    "schema_for",
    "sign",
    "validate_event",
    "verify_signature",
]

# name -> submodule that defines it; loaded on first attribute access (PEP 562).
_LAZY = {
    "RealClock": "_clock",
    "VirtualClock": "_clock",
    "Attempt": "_delivery",
    "Delivery": "_delivery",
    "DeliverySummary": "_delivery",
    "Outcome": "_delivery",
    "DELETE": "_factory",
    "EventFactory": "_factory",
    "SIGNATURE_MODES": "_signature_modes",
    "TEST_CLIENT_SECRET": "_signing",
    "MockEcwid": "_mock_ecwid",
    "RetryPolicy": "_retry",
    "AsyncSender": "_sender",
    "Sender": "_sender",
    "LocalHTTPSServer": "_tls_server",
    "TestCertificates": "_tls_server",
    "Timeouts": "_transport",
    "check_webhook_url": "_url",
    "DataField": "_catalog",
    "EventInfo": "_catalog",
    "event_info": "_catalog",
    "schema_for": "_catalog",
    "Event": "_event",
    "Secret": "_signing",
    "sign": "_signing",
    "verify_signature": "_signing",
    "InvalidJSON": "_validate",
    "is_valid_event": "_validate",
    "validate_event": "_validate",
}


def __getattr__(name: str) -> Any:
    if name == "EVENT_TYPES":
        from ._catalog import event_types

        value: Any = event_types()
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
