"""``EcwidWebhookUser``: a Locust user that delivers webhooks exactly as Ecwid does."""

from __future__ import annotations

import random
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

import gevent
from geventhttpclient.response import HTTPConnectionClosed, HTTPParseError
from geventhttpclient.url import URL
from locust import task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

from .._delivery.url import check_webhook_url
from .._delivery.verdict import judge
from .._errors import EcwidMockError
from .._events.event import Event
from .._events.factory import EventFactory
from .._schemas.catalog import event_types
from .._schemas.contract import contract
from ._process import LoadProcess, Pending, load_process, logger

__all__ = ["FIRST_ATTEMPT", "RETRY", "EcwidWebhookUser", "NotDelivered"]

#: The names under which Locust's statistics show the two kinds of attempt.
FIRST_ATTEMPT = "first attempt"
RETRY = "retry"

_FACTS = contract()


def _warm_up() -> None:
    """Build one event of each type now, at locustfile import, before ``--processes``
    forks the workers: they start with the schemas and Faker's providers loaded (shared
    copy-on-write) instead of each loading them in the middle of the test."""
    factory = EventFactory(seed=0)
    for event_type in event_types():
        factory.build(event_type)


_warm_up()


class NotDelivered(Exception):
    """Ecwid's verdict on a failed attempt; Locust groups its failures by this text."""


class _Clock:
    """Wall-clock time minus ``behind`` seconds: eventCreated of an event made earlier."""

    behind = 0.0

    def now(self) -> float:
        return time.time() - self.behind


def _error_kind(exc: BaseException) -> str:
    """One of ``ecwid_mock.ERROR_KINDS`` for an exception of the gevent HTTP client."""
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError | gevent.Timeout):
        return "connect-timeout" if "connect" in str(exc).lower() else "timeout"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | HTTPConnectionClosed):
        return "reset"
    if isinstance(exc, HTTPParseError):
        return "protocol"
    if isinstance(exc, OSError):
        return "connect"
    return "protocol"


class EcwidWebhookUser(FastHttpUser):
    """Delivers signed events from ``EventFactory.stream()`` to ``--host`` (the webhook URL).

    Each user has its own factory, seeded from ``--ecwid-seed``, the worker's index and the
    user's number, with eventCreated = now. TLS is verified (``--ecwid-cacert`` or
    ``$ECWID_CACERT``, else the system's CAs), redirects are not followed, and the limits
    are Ecwid's (3 s to connect, 10 s for the answer). Ecwid's verdict decides success. A
    failed event is retried on Ecwid's schedule, compressed by ``--ecwid-time-scale``; the
    retry heap belongs to the process, so retries survive a user's stop. Subclass it
    (``import ecwid_mock.locust as ecwid``; ``class MyUser(ecwid.EcwidWebhookUser)``) to
    change ``weight`` or ``fixed_count``.
    """

    insecure = False
    max_redirects = 0
    max_retries = 0
    connection_timeout = _FACTS.connect_timeout
    network_timeout = _FACTS.response_timeout
    concurrency = 1

    first_attempt_name: ClassVar[str] = FIRST_ATTEMPT
    retry_name: ClassVar[str] = RETRY

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self._process: LoadProcess = load_process(environment)
        self._next_first = 0.0

    def ssl_context_factory(self, cafile: str | None = None) -> ssl.SSLContext:
        """A verifying context: the CA file of the options, else the system's trust store."""
        context: ssl.SSLContext = gevent.ssl.create_default_context(
            cafile=self._process.options.cacert or cafile
        )
        return context

    def on_start(self) -> None:
        process = self._process
        options = process.options
        url = str(self.host)
        try:
            check_webhook_url(url)
        except EcwidMockError as exc:
            logger.error("ecwid-mock: %s", exc)
            raise StopUser() from None
        parts = urlsplit(url)
        joiner = "&" if parts.query else "?"
        self._uri_prefix = (
            f"{parts.path or '/'}{'?' + parts.query if parts.query else ''}"
            f"{joiner}{_FACTS.event_type_parameter}="
        )
        self._http = self.client.client.clientpool.get_client(URL(url))
        self._http.default_headers.clear()  # no User-Agent: exactly the event's headers
        number = next(process.user_numbers)
        seed = random.Random(f"{options.seed}:{process.worker_index}:{number}").randrange(2**32)
        self._clock = _Clock()
        self.factory = EventFactory(seed=seed, client_secret=options.secret, clock=self._clock)
        self._events: Iterator[Event] = self.factory.stream(types=options.types)
        self._interval = 1.0 / options.user_rate if options.user_rate > 0 else 0.0
        self._next_first = time.time()

    def wait_time(self) -> float:
        """Until this user's next new event or the process's next retry, whichever is first."""
        due = self._process.heap.next_due()
        until = self._next_first if due is None else min(self._next_first, due)
        return max(0.0, until - time.time())

    @task
    def deliver(self) -> None:
        """Send one attempt: a retry that is due, else a new event when its time has come."""
        process = self._process
        now = time.time()
        pending = process.heap.pop_due(now)
        if pending is None:
            if now < self._next_first:
                return
            self._next_first = max(self._next_first + self._interval, now - self._interval)
            pending = Pending(next(self._events), now, 0)
            process.sent += 1
        self.attempt(pending)

    def attempt(self, pending: Pending) -> None:
        """One HTTP attempt, judged as Ecwid judges it; a failure is rescheduled or dropped."""
        process = self._process
        event = pending.event
        if event is None:  # a storm's backlog event: as old (in Ecwid time) as its first attempt
            age = time.time() - pending.first_attempt_at
            self._clock.behind = age * process.schedule.time_scale
            event = next(self._events)
            self._clock.behind = 0.0
        retry = pending.attempts_made > 0
        status: int | None = None
        error: str | None = None
        detail = ""
        location: str | None = None
        length = 0
        started_at = time.time()
        started = time.perf_counter()
        process.in_flight += 1
        try:
            response = self._http.request(
                "POST", self._uri_prefix + event.event_type, body=event.body, headers=event.headers
            )
            try:
                length = len(response.read())
                status = response.status_code
                found = response.get("location")
                location = found if isinstance(found, str) else None
            finally:
                response.release()
        except gevent.GreenletExit:  # the run stopped mid-attempt: still pending, no verdict
            process.heap.push(started_at, replace(pending, event=event))
            process.interrupted += 1
            raise
        except Exception as exc:
            error, detail = _error_kind(exc), f"{type(exc).__name__}: {exc}"
        finally:
            process.in_flight -= 1
        elapsed = time.perf_counter() - started
        if error is None and elapsed > _FACTS.response_timeout:
            error, detail = "timeout", f"answered after {elapsed:.1f} s"
        verdict = judge(status, error=error, detail=detail, location=location)
        made = pending.attempts_made + 1
        process.attempts += 1
        process.retries += retry
        if verdict.accepted:
            process.delivered += 1
        else:
            first = started_at if not retry else pending.first_attempt_at
            due = process.schedule.next_due(first, made)
            if due is None:
                process.dropped += 1
            else:
                process.heap.push(due, Pending(event, first, made))
        self.environment.events.request.fire(
            request_type="POST",
            name=self.retry_name if retry else self.first_attempt_name,
            response_time=elapsed * 1000,
            response_length=length,
            response=None,
            context={},
            exception=None if verdict.accepted else NotDelivered(verdict.reason),
            start_time=started_at,
            url=self._uri_prefix + event.event_type,
        )
