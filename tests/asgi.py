"""Small ASGI helpers for the receivers the tests write by hand."""

from __future__ import annotations

from typing import Any


async def read_body(receive: Any) -> bytes:
    """The whole request body, however many messages it came in."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def respond(send: Any, status: int, body: bytes = b"") -> None:
    """Answer ``status`` with ``body``."""
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})
