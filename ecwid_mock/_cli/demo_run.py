"""The demo run: everything ecwid-mock does, against the built-in reference receiver.

A correct receiver (``_receiver.reference_receiver``) is served over real HTTPS with a trustme
certificate; a mock Ecwid sends it every documented event type, a retry scenario on the
virtual clock, a duplicate and forged signatures. Each step states what Ecwid would expect, so
the run doubles as an end-to-end self-check (exit 0 only when every step behaved).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DemoStep", "run_demo"]

DEMO_SECRET = "ecwid-mock-demo-client-secret"


@dataclass
class DemoStep:
    """One line of the demo report."""

    scenario: str
    event: str
    status: str
    attempts: int
    expected: str
    ok: bool
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "event": self.event,
            "status": self.status,
            "attempts": self.attempts,
            "expected": self.expected,
            "verdict": "ok" if self.ok else "unexpected",
            "note": self.note,
        }


def _status(delivery: Any) -> str:
    """The last attempt's status code or error kind."""
    return _status_of(delivery.attempts[-1]) if delivery.attempts else "-"


def run_demo(
    *,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    on_start: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[DemoStep]:
    """Run the demo, yielding one step at a time (so a caller can show progress).

    ``on_start`` is told where the receiver listens and how HTTPS is set up, before any event.
    """
    from .._clock import VirtualClock
    from .._events.factory import EventFactory
    from .._mock_ecwid import MockEcwid
    from .._schemas.catalog import event_types
    from .._servers.reference import reference_receiver
    from .._servers.tls import LocalHTTPSServer

    receiver = reference_receiver(client_secret=DEMO_SECRET)
    clock = VirtualClock()
    factory = EventFactory(seed=seed, client_secret=DEMO_SECRET, clock=clock)
    with (
        LocalHTTPSServer(receiver) as server,
        MockEcwid(
            server.url + receiver.path,
            verify=server.client_ssl_context(),
            clock=clock,
            factory=factory,
        ) as sender,
    ):
        if on_start is not None:
            on_start(
                {
                    "url": server.url + receiver.path,
                    "port": server.port,
                    "tls": "TLS 1.2 or later",
                    "certificate": "a throwaway trustme CA's certificate for the receiver's "
                    "host, verified by the sender (no check is skipped)",
                }
            )
        types = event_types()
        total = len(types) + 4
        for done, event_type in enumerate(types, 1):
            delivery = sender.send(event_type)
            record = receiver.received.last
            yield DemoStep(
                "every event type",
                event_type,
                _status(delivery),
                len(delivery.attempts),
                "delivered",
                delivery.delivered and bool(record.signature_valid) and bool(record.schema_valid),
                "" if record.schema_valid else "receiver saw a schema-invalid payload",
            )
            if progress:
                progress(done, total)

        # Retries: the receiver is down for 40 minutes, then recovers.
        receiver.status = 503
        delivery = sender.send("order.updated")
        sender.advance(minutes=40)
        down_attempts = len(delivery.attempts)
        receiver.status = 200
        sender.run_until_idle()
        offsets = [
            round((a.sent_at - delivery.attempts[0].sent_at) / 60) for a in delivery.attempts
        ]
        yield DemoStep(
            "retry after 503 (virtual clock)",
            "order.updated",
            " → ".join(_status_of(a) for a in delivery.attempts),
            len(delivery.attempts),
            "delivered at the 45-minute retry",
            delivery.delivered and down_attempts == 3 and offsets == [0, 15, 30, 45],
            "attempts at minutes " + ", ".join(str(o) for o in offsets),
        )
        if progress:
            progress(len(types) + 1, total)

        # A duplicate: the same event (same eventId) twice; the receiver must answer both
        # and process it once.
        event = factory.build("order.created")
        first, second = sender.duplicate(event, times=2)
        duplicate_seen = receiver.received.last.duplicate
        yield DemoStep(
            "duplicate delivery",
            "order.created",
            f"{_status(first)}, {_status(second)}",
            2,
            "both answered 200, processed once",
            first.delivered and second.delivered and duplicate_seen,
            "second copy recognised by eventId" if duplicate_seen else "duplicate not detected",
        )
        if progress:
            progress(len(types) + 2, total)

        for mode in ("wrong-secret", "missing"):
            forged = sender.send("order.created", signature=mode)
            yield DemoStep(
                f"forged signature ({mode})",
                "order.created",
                _status(forged),
                len(forged.attempts),
                "rejected (not a delivered code)",
                not forged.attempts[0].accepted,
                "a receiver must fail closed",
            )
            if progress:
                progress(total - (1 if mode == "wrong-secret" else 0), total)


def _status_of(attempt: Any) -> str:
    return str(attempt.status_code) if attempt.status_code is not None else str(attempt.error)
