"""Planted misuse that ``mypy --strict`` must flag (tests/test_typing.py).

Each line ending in ``# E: <message>`` must produce exactly that error and no other line any.
"""

from __future__ import annotations

from ecwid_mock import parse_event
from ecwid_mock.types import OrderCreated, WebhookEvent


def typo(body: bytes) -> str:
    event = parse_event(body, "order.updated")
    status: str = event["data"]["newPaymentStatuss"]  # E: TypedDict "OrderUpdatedData" has no key "newPaymentStatuss"  [typeddict-item]
    return status


def store_id_as_int(event: WebhookEvent) -> int:
    if event["eventType"] == "application.installed":
        following: int = event["entityId"] + 1  # E: Unsupported operand types for + ("str" and "int")  [operator]
        return following
    return 0


def misspelt_status(body: bytes) -> bool:
    event = parse_event(body, "order.updated")
    return event["data"]["newPaymentStatus"] == "PAYED"  # E: Non-overlapping equality check (left operand type: "Literal['AWAITING_PAYMENT', 'PAID', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'INCOMPLETE', 'CUSTOM_PAYMENT_STATUS_1', 'CUSTOM_PAYMENT_STATUS_2', 'CUSTOM_PAYMENT_STATUS_3']", right operand type: "Literal['PAYED']")  [comparison-overlap]


def data_may_be_null(body: bytes) -> str:
    event = parse_event(body, "order.deleted")
    data = event.get("data")
    return data["orderId"]  # E: Value of type "OrderDeletedData | None" is not indexable  [index]


def wrong_overload(body: bytes) -> OrderCreated:
    return parse_event(body, "order.updated")  # E: Incompatible return value type (got "OrderUpdated", expected "OrderCreated")  [return-value]

