"""An Ecwid webhook receiver in Django: verify, answer at once, process after, once per event.

Run it with ``ECWID_CLIENT_SECRET=... python manage.py runserver`` (settings in settings.py,
which names this module as the URL configuration). Ecwid posts every event to one URL; this
app takes them on ``POST /webhooks/ecwid`` and answers:

- 401 when ``X-Ecwid-Webhook-Signature`` is missing or wrong (not from Ecwid),
- 400 when the body is not an Ecwid event (nothing to check a signature against),
- 503 while the app cannot take events (``inbox.available = False``): Ecwid retries later,
- 200 otherwise, at once, also for a duplicate (Ecwid may deliver one event more than once).

Accepted events go to an in-memory queue that a worker thread processes, so the answer never
waits for the work (Ecwid waits only 10 seconds). A real project uses a job queue instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import threading
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

if TYPE_CHECKING:  # the types only: the app does not need ecwid-mock to run
    from ecwid_mock.types import WebhookEvent

SIGNATURE_HEADER = "X-Ecwid-Webhook-Signature"


@csrf_exempt  # Ecwid cannot send a CSRF token; the signature proves where the request is from
@require_POST
def ecwid_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is None:
        return _text(f"missing {SIGNATURE_HEADER}", 401)
    event = parse_event(request.body)
    if event is None:
        return _text("not an Ecwid webhook event", 400)
    if not signature_is_valid(event, signature, _client_secret().encode()):
        return _text("invalid signature", 401)
    if not inbox.available:
        return _text("not taking events now, retry later", 503)
    if inbox.accept(event["eventId"]):
        start_worker()
        jobs.put(event)
    return _text("ok", 200)


urlpatterns = [path("webhooks/ecwid", ecwid_webhook)]


def create_app(*, client_secret: str | None = None) -> WSGIHandler:
    """The WSGI app; the client secret comes from here or from settings (``ECWID_CLIENT_SECRET``).

    Django's settings are per process, so ``client_secret`` replaces the setting.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    if client_secret is not None:
        settings.ECWID_CLIENT_SECRET = client_secret
    _client_secret()  # refuse to start without one
    return application


def _client_secret() -> str:
    secret: str = settings.ECWID_CLIENT_SECRET
    if not secret:
        raise ImproperlyConfigured(
            "no Ecwid client secret: set ECWID_CLIENT_SECRET or call create_app(client_secret=...)"
        )
    return secret


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


jobs: queue.Queue[WebhookEvent] = queue.Queue()
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def start_worker() -> None:
    """Start the thread that processes accepted events, once per process."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = threading.Thread(target=_work, name="ecwid-events", daemon=True)
            _worker.start()


def _work() -> None:
    while True:
        process_event(jobs.get(), inbox)


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
    """The app's real work, in the worker thread, apart from the answer.

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

        Processing runs apart from the answer, so this waits (up to ``timeout`` seconds) for the
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


inbox = Inbox()
