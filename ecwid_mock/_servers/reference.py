"""A reference Ecwid webhook receiver: a small ASGI app that does what a correct receiver does.

It answers POSTs on one path, checks ``X-Ecwid-Webhook-Signature`` (401 when missing or wrong),
refuses bodies that are not Ecwid events (400), deduplicates by ``eventId`` and answers the
configured status after the configured delay. It answers first and validates the payload
against its schema afterwards, as Ecwid advises receivers to do, then records the delivery.

``ecwid-mock listen``, ``ecwid-mock demo`` and the test suite run it on :class:`LocalHTTPSServer`;
it needs nothing but the standard library and ecwid-mock itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import parse_qsl

from .._delivery.verdict import judge
from .._errors import DeliveryAssertionError, InvalidEvent, InvalidOption
from .._events.signing import SIGNATURE_HEADER, Secret, verify_signature
from .._schemas.contract import contract
from .._schemas.problem import Problem
from .._schemas.validate import validate_event

if TYPE_CHECKING:
    from ..types import WebhookEvent

__all__ = [
    "ACCEPTED_STATUSES",
    "ReceivedDeliveries",
    "ReceivedDelivery",
    "ReferenceReceiver",
    "reference_receiver",
]

#: The answers Ecwid counts as "delivered" (any other code means it will retry).
ACCEPTED_STATUSES = contract().accepted_statuses
DEFAULT_PATH = contract().default_path
MAX_BODY_BYTES = 5 * 1024 * 1024  # Ecwid bodies are a few hundred bytes; refuse floods
_RECORD_TIMEOUT = 10.0  # how long a reader waits for an answered request to be recorded

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ClientSecret = str | bytes | Secret


@dataclass(frozen=True, repr=False)
class ReceivedDelivery:
    """One HTTP request the receiver got, and what it made of it.

    ``signature_valid`` is ``None`` when the receiver has no client secret (not checked);
    ``schema_valid`` is ``None`` for requests that were not webhook deliveries at all (wrong
    path or method). ``problems`` lists schema violations in tolerant mode.
    """

    number: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    reason: str
    signature_valid: bool | None
    schema_valid: bool | None
    problems: tuple[Problem, ...] = ()
    duplicate: bool = False
    event_id: str | None = None
    event_type: str | None = None
    received_at: float = field(default_factory=time.time)

    @property
    def signature(self) -> str | None:
        """The ``X-Ecwid-Webhook-Signature`` header as received (an HMAC, not a secret)."""
        return self.headers.get(SIGNATURE_HEADER.lower())

    @property
    def signature_check(self) -> str:
        """``valid``, ``invalid``, ``missing`` or ``not checked`` (no client secret)."""
        if self.signature_valid is None:
            return "not checked"
        if self.signature_valid:
            return "valid"
        return "missing" if self.signature is None else "invalid"

    @property
    def accepted(self) -> bool:
        """True when Ecwid would count the answer as delivered."""
        return judge(self.status).accepted

    @property
    def event(self) -> WebhookEvent | None:
        """The body as a typed webhook event (tolerant mode), or ``None`` when it is not one."""
        from .._errors import EcwidMockError
        from .._schemas.parse import parse_event

        try:
            return parse_event(self.body)
        except EcwidMockError:
            return None

    @property
    def payload(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            return None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the body as parsed JSON, or as text when it is not JSON)."""
        payload = self.payload
        return {
            "number": self.number,
            "received_at": self.received_at,
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "headers": dict(self.headers),
            "status": self.status,
            "reason": self.reason,
            "signature": self.signature_check,
            "schema_valid": self.schema_valid,
            "problems": [str(p) for p in self.problems],
            "duplicate": self.duplicate,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "payload": payload,
            "body": None if payload is not None else self.body.decode("utf-8", "replace"),
        }

    def __repr__(self) -> str:
        what = self.event_type or "-"
        schema = {None: "not checked", True: "valid", False: "invalid"}[self.schema_valid]
        extra = " duplicate" if self.duplicate else ""
        return (
            f"<ReceivedDelivery #{self.number} {self.method} {self.path} {what} -> {self.status}"
            f" signature={self.signature_check} schema={schema}{extra}>"
        )


class ReceivedDeliveries(Sequence[ReceivedDelivery]):
    """The thread-safe, append-only record of what a receiver got, in completion order.

    A request is answered first and recorded a moment later (after schema validation).
    Reading waits, briefly, for requests already answered, so a sender that has its
    response always finds the matching record here.
    """

    def __init__(self) -> None:
        self._items: list[ReceivedDelivery] = []
        self._answered: set[int] = set()  # answered, not yet recorded
        self._changed = threading.Condition()

    def _answering(self, number: int) -> None:
        with self._changed:
            self._answered.add(number)

    def _append(self, delivery: ReceivedDelivery) -> None:
        with self._changed:
            self._items.append(delivery)
            self._answered.discard(delivery.number)
            self._changed.notify_all()

    def _abandon(self, number: int) -> None:
        with self._changed:
            if number in self._answered:
                self._answered.discard(number)
                self._changed.notify_all()

    def snapshot(self) -> list[ReceivedDelivery]:
        """A copy of the records, including every request answered before this call."""
        with self._changed:
            waiting = set(self._answered)
            self._changed.wait_for(lambda: not waiting & self._answered, _RECORD_TIMEOUT)
            return list(self._items)

    @overload
    def __getitem__(self, index: int) -> ReceivedDelivery: ...
    @overload
    def __getitem__(self, index: slice) -> list[ReceivedDelivery]: ...
    def __getitem__(self, index: int | slice) -> ReceivedDelivery | list[ReceivedDelivery]:
        return self.snapshot()[index]

    def __len__(self) -> int:
        return len(self.snapshot())

    def __iter__(self) -> Iterator[ReceivedDelivery]:
        return iter(self.snapshot())

    @property
    def called(self) -> bool:
        return len(self) > 0

    @property
    def call_count(self) -> int:
        return len(self)

    @property
    def last(self) -> ReceivedDelivery:
        """The latest record; an assertion error when nothing was received."""
        items = self.snapshot()
        if not items:
            raise DeliveryAssertionError("ecwid-mock: the receiver has received nothing yet")
        return items[-1]

    def wait_for(self, count: int = 1, *, timeout: float = 5.0) -> list[ReceivedDelivery]:
        """Block until at least ``count`` records exist (bounded by ``timeout`` seconds).

        A delivery is recorded just after its answer is sent, so a client that has its
        response calls this before looking at the record.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._items) >= count, timeout):
                got = "\n".join(f"  {d!r}" for d in self._items) or "  (none)"
                raise DeliveryAssertionError(
                    f"ecwid-mock: expected {count} received deliveries within {timeout} s, "
                    f"got {len(self._items)}:\n{got}"
                )
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()

    def __repr__(self) -> str:
        return f"<ReceivedDeliveries {len(self)}>"


@dataclass(frozen=True)
class _Verdict:
    status: int
    reason: str
    signature_valid: bool | None = None
    duplicate: bool = False
    event_id: str | None = None
    event_type: str | None = None
    is_delivery: bool = True  # False for wrong path or method: no schema check


class ReferenceReceiver:
    """The ASGI app behind :func:`reference_receiver`; ``received`` holds every request."""

    def __init__(
        self,
        *,
        client_secret: ClientSecret | None,
        path: str = DEFAULT_PATH,
        status: int = 200,
        delay: float = 0.0,
        on_delivery: Callable[[ReceivedDelivery], object] | None = None,
    ) -> None:
        self._secret = _check_secret(client_secret)
        self.path = _check_path(path)
        self.status = status
        self.delay = delay
        if on_delivery is not None and not callable(on_delivery):
            raise InvalidOption("on_delivery", on_delivery, "a callable taking the record, or None")
        self.on_delivery = on_delivery
        self.received = ReceivedDeliveries()
        self._accepted_ids: set[str] = set()
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    @property
    def checks_signatures(self) -> bool:
        return self._secret is not None

    @property
    def status(self) -> int:
        """The answer to a valid delivery; may be changed while serving (e.g. fail, then 200)."""
        return self._status

    @status.setter
    def status(self, value: int) -> None:
        self._status = _check_status(value)

    @property
    def delay(self) -> float:
        """Seconds to wait before answering a delivery; may be changed while serving."""
        return self._delay

    @delay.setter
    def delay(self, value: float) -> None:
        self._delay = _check_delay(value)

    def reset(self) -> None:
        """Forget every record and every seen ``eventId``."""
        with self._lock:
            self._accepted_ids.clear()
            self.received.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: not something Ecwid sends
        number = next(self._numbers)
        body, too_large = await _read_body(receive)
        headers = _headers(scope)
        method: str = scope["method"]
        path: str = scope["path"]
        verdict = (
            _Verdict(413, f"body larger than {MAX_BODY_BYTES} bytes")
            if too_large
            else self._judge(method, path, headers, body)
        )
        if verdict.is_delivery and self._delay:
            await asyncio.sleep(self._delay)
        self.received._answering(number)
        try:
            await _answer(send, verdict.status, verdict.reason, allow=verdict.status == 405)
            # Answered: now the slower work (schema validation), off the event loop.
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
            await asyncio.to_thread(
                self._record, number, method, path, query, headers, body, verdict
            )
        finally:
            self.received._abandon(number)  # only matters if recording failed

    def _judge(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Verdict:
        if path != self.path:
            return _Verdict(404, f"no webhook endpoint here; use {self.path}", is_delivery=False)
        if method != "POST":
            return _Verdict(405, "webhooks are POSTed", is_delivery=False)
        envelope, problem = _envelope(body)
        event_id = envelope["eventId"] if envelope else None
        event_type = envelope["eventType"] if envelope else None
        signature = headers.get(SIGNATURE_HEADER.lower())
        if self._secret is not None and signature is None:
            reason = f"missing {SIGNATURE_HEADER} header"
            return _Verdict(401, reason, False, event_id=event_id, event_type=event_type)
        if envelope is None or event_id is None:
            return _Verdict(400, problem)  # nothing to check a signature against
        signature_valid = (
            None if self._secret is None else verify_signature(body, signature, self._secret)
        )
        if signature_valid is False:
            reason = "invalid signature"
            return _Verdict(401, reason, False, event_id=event_id, event_type=event_type)
        status = self._status
        with self._lock:
            duplicate = event_id in self._accepted_ids
            if judge(status).accepted:
                self._accepted_ids.add(event_id)
        reason = "duplicate eventId, already accepted" if duplicate else "delivery received"
        return _Verdict(status, reason, signature_valid, duplicate, event_id, event_type)

    def _record(
        self,
        number: int,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
        verdict: _Verdict,
    ) -> None:
        schema_valid: bool | None = None
        problems: tuple[Problem, ...] = ()
        if verdict.is_delivery:
            try:
                validate_event(body, strict=False)
                schema_valid = True
            except InvalidEvent as exc:
                schema_valid, problems = False, exc.problems
        record = ReceivedDelivery(
            number=number,
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            status=verdict.status,
            reason=verdict.reason,
            signature_valid=verdict.signature_valid,
            schema_valid=schema_valid,
            problems=problems,
            duplicate=verdict.duplicate,
            event_id=verdict.event_id,
            event_type=verdict.event_type,
        )
        self.received._append(record)
        if self.on_delivery is not None:
            self.on_delivery(record)

    def __repr__(self) -> str:
        secret = "checks signatures" if self._secret is not None else "no client secret"
        return (
            f"<ReferenceReceiver {self.path} status={self._status} delay={self._delay} "
            f"{secret} received={len(self.received)}>"
        )


def reference_receiver(
    *,
    client_secret: ClientSecret | None,
    path: str = DEFAULT_PATH,
    status: int = 200,
    delay: float = 0.0,
    on_delivery: Callable[[ReceivedDelivery], object] | None = None,
) -> ReferenceReceiver:
    """A correct Ecwid webhook receiver as an ASGI app; its records are ``app.received``.

    ``client_secret=None`` accepts any signature (reported as "not checked"). ``status`` is
    the answer to a valid delivery (200–599; Ecwid counts 200, 201, 202, 204 and 209 as
    delivered), sent after ``delay`` seconds. ``on_delivery(record)`` runs for every request,
    after its answer is sent, in a worker thread.
    """
    return ReferenceReceiver(
        client_secret=client_secret,
        path=path,
        status=status,
        delay=delay,
        on_delivery=on_delivery,
    )


# -- HTTP details ----------------------------------------------------------------------------


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        else:
            too_large = True
        if not message.get("more_body", False):
            break
    return b"".join(chunks), too_large


def _headers(scope: Scope) -> dict[str, str]:
    """Lower-case names; a repeated header (Ecwid may send a custom one twice) is comma-joined."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _answer(send: Send, status: int, reason: str, *, allow: bool) -> None:
    body = b"" if status in (204, 304) else f"{reason}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if allow:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _envelope(body: bytes) -> tuple[dict[str, Any] | None, str]:
    """The parsed body when it is an Ecwid event envelope, else ``None`` and why not."""
    try:
        value = json.loads(body.decode("utf-8"))  # Ecwid sends UTF-8; no guessing
    except UnicodeDecodeError:
        return None, "body is not UTF-8 JSON"
    except ValueError as exc:
        return None, f"body is not JSON: {exc}" if body.strip() else "body is empty"
    if not isinstance(value, dict):
        return None, f"not an Ecwid event: the body is JSON {type(value).__name__}, not an object"
    missing = [
        name
        for name, kind in (("eventId", str), ("eventType", str), ("eventCreated", int))
        if not isinstance(value.get(name), kind) or isinstance(value.get(name), bool)
    ]
    if missing:
        return None, f"not an Ecwid event: no valid {', '.join(missing)}"
    return value, ""


# -- option checks ---------------------------------------------------------------------------


def _check_secret(client_secret: object) -> Secret | None:
    if client_secret is None:
        return None
    if not isinstance(client_secret, (str, bytes, Secret)):
        raise InvalidOption(
            "client_secret", type(client_secret).__name__, "a str, bytes, Secret or None"
        )
    secret = Secret(client_secret)
    if not secret:
        raise InvalidOption("client_secret", "", "non-empty (or None to skip signature checks)")
    return secret


def _check_path(path: object) -> str:
    if not isinstance(path, str) or not path.startswith("/") or "?" in path or "#" in path:
        raise InvalidOption("path", path, "a URL path that starts with '/' (no query string)")
    return path


def _check_status(status: object) -> int:
    if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
        raise InvalidOption(
            "status", status, "an HTTP status code in 200–599 (1xx cannot end a response)"
        )
    return status


def _check_delay(delay: object) -> float:
    if (
        isinstance(delay, bool)
        or not isinstance(delay, (int, float))
        or not math.isfinite(delay)
        or delay < 0
    ):
        raise InvalidOption("delay", delay, "a finite number of seconds >= 0")
    return float(delay)
