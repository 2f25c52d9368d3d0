"""An Ecwid webhook receiver in FastAPI: verify, answer at once, process after, once per event.

Run it with ``ECWID_CLIENT_SECRET=... uvicorn receiver:create_app --factory``. Ecwid posts
every event to one URL; this app takes them on ``POST /webhooks/ecwid`` and answers:

- 401 when ``X-Ecwid-Webhook-Signature`` is missing or wrong (not from Ecwid),
- 400 when the body is not an Ecwid event (nothing to check a signature against),
- 503 while the app cannot take events (``inbox.available = False``): Ecwid retries later,
- 200 otherwise, at once, also for a duplicate (Ecwid may deliver one event more than once).

The work runs in a background task after the answer, because Ecwid waits only 10 seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from typing import TYPE_CHECKING, cast

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import PlainTextResponse

if TYPE_CHECKING:  # the types only: the app does not need ecwid-mock to run
    from ecwid_mock.types import WebhookEvent

WEBHOOK_PATH = "/webhooks/ecwid"
SIGNATURE_HEADER = "X-Ecwid-Webhook-Signature"


def create_app(*, client_secret: str | None = None) -> FastAPI:
    """The receiver app; the client secret comes from here or from ``ECWID_CLIENT_SECRET``."""
    secret = client_secret or os.environ.get("ECWID_CLIENT_SECRET", "")
    if not secret:
        raise RuntimeError(
            "no Ecwid client secret: set ECWID_CLIENT_SECRET or call create_app(client_secret=...)"
        )
    key = secret.encode()
    inbox = Inbox()
    app = FastAPI(title="Ecwid webhook receiver")
    app.state.inbox = inbox

    @app.post(WEBHOOK_PATH)
    async def ecwid_webhook(
        request: Request, background_tasks: BackgroundTasks
    ) -> PlainTextResponse:
        signature = request.headers.get(SIGNATURE_HEADER)
        if signature is None:
            return PlainTextResponse(f"missing {SIGNATURE_HEADER}", status_code=401)
        event = parse_event(await request.body())
        if event is None:
            return PlainTextResponse("not an Ecwid webhook event", status_code=400)
        if not signature_is_valid(event, signature, key):
            return PlainTextResponse("invalid signature", status_code=401)
        if not inbox.available:
            return PlainTextResponse("not taking events now, retry later", status_code=503)
        if inbox.accept(event["eventId"]):
            background_tasks.add_task(process_event, event, inbox)
        return PlainTextResponse("ok")

    return app


def parse_event(body: bytes) -> WebhookEvent | None:
    """The webhook's JSON object, or ``None`` when the body is not an Ecwid event.

    Only what the answer needs is checked; the result is typed as Ecwid documents it
    (``ecwid_mock.types``), which the handler narrows on ``eventType``.
    """
    try:
        event = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(event, dict):
        return None
    created = event.get("eventCreated")
    if not isinstance(created, int) or isinstance(created, bool):
        return None
    if not isinstance(event.get("eventId"), str) or not isinstance(event.get("eventType"), str):
        return None
    return cast("WebhookEvent", event)


def signature_is_valid(event: WebhookEvent, signature: str, key: bytes) -> bool:
    """Ecwid signs ``"{eventCreated}.{eventId}"``: Base64 of HMAC-SHA256 with the client secret."""
    message = f"{event['eventCreated']}.{event['eventId']}".encode()
    expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.encode())


def process_event(event: WebhookEvent, inbox: Inbox) -> None:
    """The app's real work, after the answer.

    Ecwid sends ids only, so a real app fetches the entity from the REST API here and acts on
    it; this example notes the orders that became paid. Narrowed on ``eventType``, ``data`` has
    the documented keys and payment codes: a typo in either fails type checking.
    """
    if event["eventType"] == "order.updated":
        data = event["data"]
        if data["newPaymentStatus"] == "PAID" and data["oldPaymentStatus"] != "PAID":
            inbox.note_paid(event["entityId"])
    inbox.mark_processed(event["eventId"])


class Inbox:
    """Which events this app accepted and processed, in memory (a real app uses its database).

    An eventId is marked as seen before the answer, so a duplicate delivery is answered 200 and
    never processed twice, even while the first one is still being processed.
    """

    def __init__(self) -> None:
        self.available = True
        self._changed = threading.Condition()
        self._seen: set[str] = set()
        self._pending = 0
        self._processed: list[str] = []
        self.paid_orders: list[int] = []

    def accept(self, event_id: str) -> bool:
        """True the first time ``event_id`` arrives (process it); False for a duplicate."""
        with self._changed:
            if event_id in self._seen:
                return False
            self._seen.add(event_id)
            self._pending += 1
            return True

    def note_paid(self, order_id: int) -> None:
        """Remember an order that became paid (a real app would fulfil it)."""
        with self._changed:
            self.paid_orders.append(order_id)

    def mark_processed(self, event_id: str) -> None:
        with self._changed:
            self._processed.append(event_id)
            self._pending -= 1
            self._changed.notify_all()

    def processed(self, *, timeout: float = 5.0) -> list[str]:
        """The processed eventIds in order, once every accepted event has been processed.

        Processing runs after the answer, so this waits (up to ``timeout`` seconds) for the
        events already accepted: tests call it after a delivery, whatever the transport.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: self._pending == 0, timeout):
                raise TimeoutError(
                    f"{self._pending} accepted event(s) unprocessed after {timeout} s"
                )
            return list(self._processed)

    def clear(self) -> None:
        """Forget every event (after letting work in progress finish) and be available again."""
        self.processed()
        with self._changed:
            self._seen.clear()
            self._processed.clear()
            self.paid_orders.clear()
            self.available = True
