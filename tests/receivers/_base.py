"""A correct Ecwid webhook receiver as a plain ASGI app, written to be broken one way at a time.

It verifies the signature (Base64 HMAC-SHA256 of "{eventCreated}.{eventId}" keyed with the
client secret), refuses events older than 25 hours, deduplicates by eventId, ignores fields
and event types it does not know, parks an order.updated for an order it has not seen, and
answers 400 to a body that is not JSON. ``effects`` counts how often each eventId was
processed: the conformance suite's observation hook.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import ecwid_mock

CLIENT_SECRET = "conformance-test-client-secret"
ACCESS_TOKEN = "secret_conformanceTestAccessToken0123"
MAX_AGE_SECONDS = 25 * 3600  # Ecwid retries for 24 hours with the same eventCreated

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Refused(Exception):
    """Answer ``status`` (a deliberate refusal, not a crash)."""

    def __init__(self, status: int, text: str = "") -> None:
        self.status = status
        self.text = text


class Receiver:
    """The correct receiver; each planted defect overrides one method."""

    delay = 0.0
    success_status = 200
    catch_errors = True  # answer 500 as a framework would; False lets the error out of the app

    def __init__(self) -> None:
        self.effects: Counter[str] = Counter()
        self.seen: set[str] = set()
        self.orders: dict[int, dict[str, Any]] = {}
        self.parked_updates: list[dict[str, Any]] = []
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = dict.fromkeys(
            ecwid_mock.EVENT_TYPES, self.record
        )
        self.handlers["order.created"] = self.order_created
        self.handlers["order.updated"] = self.order_updated

    def observe(self) -> dict[str, int]:
        """Side effects so far: how many times each eventId was processed."""
        return dict(self.effects)

    # -- ASGI ----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.delay:
            await asyncio.sleep(self.delay)
        extra: list[tuple[bytes, bytes]] = []
        text = b"ok"
        try:
            status = self.handle(scope, body, headers)
        except Refused as refusal:
            status = refusal.status
            text = refusal.text.encode() or text
        except Exception:  # what a framework does with an unhandled error
            if not self.catch_errors:
                raise
            status = 500
        if 300 <= status < 400:
            extra.append((b"location", (scope["path"] + "/").encode()))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": b"" if status == 204 else text})

    # -- the steps a receiver goes through --------------------------------------------------

    def handle(self, scope: Scope, body: bytes, headers: dict[str, str]) -> int:
        payload = self.parse(body)
        self.authenticate(body, payload, headers.get("x-ecwid-webhook-signature"))
        if time.time() - payload["eventCreated"] > MAX_AGE_SECONDS:
            raise Refused(400)  # a replay: Ecwid stops retrying after 24 hours
        return self.process(payload)

    def parse(self, body: bytes) -> dict[str, Any]:
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("eventCreated"), int):
            raise Refused(400)
        return payload

    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        if signature is None:
            raise Refused(401)
        expected = self.expected_signature(body, payload)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise Refused(401)

    def expected_signature(self, body: bytes, payload: dict[str, Any]) -> str:
        message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
        digest = hmac.new(CLIENT_SECRET.encode(), message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def process(self, payload: dict[str, Any]) -> int:
        event_id = payload["eventId"]
        if event_id in self.seen:  # a duplicate: already done, say so again
            return self.success_status
        handler = self.handler_for(payload["eventType"])
        if handler is not None:
            handler(payload)
        self.seen.add(event_id)
        self.effects[event_id] += 1
        return self.success_status

    def handler_for(self, event_type: str) -> Callable[[dict[str, Any]], None] | None:
        return self.handlers.get(event_type)  # unknown types are ignored

    # -- handlers ----------------------------------------------------------------------------

    def record(self, payload: dict[str, Any]) -> None:
        """Most events: re-read the entity later; nothing to keep from the body."""

    def order_created(self, payload: dict[str, Any]) -> None:
        self.orders[payload["entityId"]] = dict(payload.get("data") or {})

    def order_updated(self, payload: dict[str, Any]) -> None:
        order = self.orders.get(payload["entityId"])
        if order is None:  # not seen yet: webhooks come in any order; apply it later
            self.parked_updates.append(payload)
            return
        order.update(payload.get("data") or {})
