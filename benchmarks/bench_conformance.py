"""The conformance suite against a correct in-process receiver, at its default settle time.

C1  ConformanceSuite(app=..., observe=...) over all 42 event types <= 1.0 s, anchored on a
    bare httpx.ASGITransport loop posting as many signed events to the same kind of receiver
    as the suite sent. C1b: the same suite without ``observe`` (no idempotency checks, so no
    settle windows), informational.

The receiver is the project's own correct test receiver (tests/receivers), which verifies
signatures, deduplicates and counts its effects.
Run: python benchmarks/bench_conformance.py [--quick] [--row C1]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from _harness import ROOT, Row, RowMaker, Series, Settings, interleave, main, value_at_most


def _receiver_module() -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from receivers import _base
    finally:
        sys.path.remove(str(ROOT / "tests"))
    return _base


class Counted:
    """An ASGI app wrapper that counts the HTTP requests it answers."""

    def __init__(self, app: Any) -> None:
        self.app, self.requests = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def conformance_rows(settings: Settings) -> list[Row]:
    """C1 conformance suite, 42 types, in-process"""
    import httpx

    from ecwid_mock import EventFactory
    from ecwid_mock.conformance import ConformanceSuite

    base = _receiver_module()
    sent: list[int] = []

    def suite(observe: bool) -> Callable[[], float]:
        def measure() -> float:
            receiver = base.Receiver()
            app = Counted(receiver)
            started = time.perf_counter()
            with ConformanceSuite(
                app=app,
                client_secret=base.CLIENT_SECRET,
                access_token=base.ACCESS_TOKEN,
                observe=receiver.observe if observe else None,
                seed=1,
            ) as run:
                report = run.run()
            elapsed = time.perf_counter() - started
            if not report.ok:
                raise RuntimeError("the correct receiver failed:\n" + report.format_table())
            if observe:
                sent.append(app.requests)
            return elapsed

        return measure

    events = list(EventFactory(seed=1, client_secret=base.CLIENT_SECRET).stream(400))

    def bare() -> float:
        count = sent[-1] if sent else 200

        async def once() -> float:
            transport = httpx.ASGITransport(app=base.Receiver())
            async with httpx.AsyncClient(transport=transport) as client:
                started = time.perf_counter()
                for i in range(count):
                    event = events[i % len(events)]
                    await client.post(
                        f"https://receiver.test/webhooks/ecwid?eventtype={event.event_type}",
                        content=event.body,
                        headers=event.headers,
                    )
                return time.perf_counter() - started

        return asyncio.run(once())

    samples = interleave(
        {"full": suite(True), "bare": bare, "plain": suite(False)}, settings.pick(5, 3)
    )
    anchor = Series(f"bare ASGITransport loop, as many requests ({sent[-1]})", "s", samples["bare"])
    return [
        Row("C1", Series("ConformanceSuite(observe=...).run(), settle 0.5 s", "s",
                         samples["full"]), anchor, value_at_most(1.0, "s"),
            note="idempotency checks wait out the settle window to catch a late duplicate"),
        Row("C1b", Series("ConformanceSuite().run() without observe", "s", samples["plain"]),
            anchor),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"C1": conformance_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
