"""Shared bodies and drivers of the replay tests: ASGI and WSGI apps called in-process."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from ecwid_mock import sign

SECRET = "replay-test-client-secret"

# Odd number spellings (1.50, 1e2), unusual key order, spaces: a capture must keep every byte.
ODD_BODY = (
    b'{"eventType": "promotion.updated","eventCreated":1725435755,  "storeId":61882411,'
    b'"data":{"version":7,"rate":1.50,"big":1e2},"entityId":42,'
    b'"eventId":"5c22c469-63e9-48fd-a4d4-748ca3c77ebf"}'
)


def order_body(
    *,
    event_id: str = "5c22c469-63e9-48fd-a4d4-748ca3c77ebf",
    created: int = 1725435755,
    store_id: int = 61882411,
    entity_id: int = 688863494,
    order_id: str = "MYSHOP-DQYG7",
    **extra_data: Any,
) -> bytes:
    data = {
        "orderId": order_id,
        "newPaymentStatus": "PAID",
        "newFulfillmentStatus": "AWAITING_PROCESSING",
        **extra_data,
    }
    payload = {
        "eventId": event_id,
        "eventCreated": created,
        "storeId": store_id,
        "entityId": entity_id,
        "eventType": "order.created",
        "data": data,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def customer_body(
    email: str, *, entity_id: int = 77, event_type: str = "customer.updated"
) -> bytes:
    payload = {
        "eventId": f"id-{entity_id}-{event_type}",
        "eventCreated": 1725435755,
        "storeId": 61882411,
        "entityId": entity_id,
        "eventType": event_type,
        "data": {"customerEmail": email},
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SECRET) -> list[tuple[bytes, bytes]]:
    payload = json.loads(body)
    return [
        (b"content-type", b"application/json; charset=UTF-8"),
        (
            b"x-ecwid-webhook-signature",
            sign(payload["eventCreated"], payload["eventId"], secret).encode(),
        ),
    ]


class SeenRequest:
    """What an inner app was given."""

    def __init__(self) -> None:
        self.body = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.messages: list[dict[str, Any]] = []
        self.environ: dict[str, Any] = {}


def asgi_app(seen: SeenRequest, status: int = 200) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.headers = list(scope["headers"])
        while True:
            message = await receive()
            seen.messages.append(message)
            seen.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def call_asgi(
    app: Any,
    body: bytes,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    path: str = "/webhooks/ecwid",
    query: bytes = b"eventtype=order.created",
    chunks: int = 3,
) -> list[dict[str, Any]]:
    """POST ``body`` (split in ``chunks`` messages) to an ASGI app; returns what it sent."""
    size = max(1, -(-len(body) // chunks))
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages = [
        {"type": "http.request", "body": part, "more_body": index < len(parts) - 1}
        for index, part in enumerate(parts)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query,
        "headers": list(headers),
    }
    asyncio.run(app(scope, receive, send))
    return sent


def wsgi_app(seen: SeenRequest, status: str = "200 OK") -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.environ = dict(environ)
        seen.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def call_wsgi(
    app: Any,
    body: bytes,
    *,
    headers: Sequence[tuple[str, str]] = (),
    path: str = "/webhooks/ecwid",
    query: str = "eventtype=order.created",
) -> tuple[str, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json; charset=UTF-8",
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8443",
        "wsgi.url_scheme": "https",
    }
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return statuses[0], content
