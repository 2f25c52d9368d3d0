"""Bulk sends: bounded concurrency, lazy input, exactly one outcome per event, summaries."""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ecwid_mock import AsyncSender, Event, Outcome, RetryPolicy, Sender
from ecwid_mock._events.signing import sign
from ecwid_mock._schemas.catalog import schema_for

SECRET = "bulk-test-client-secret"
URL = "https://receiver.test/webhooks/ecwid"


def events(count: int, consumed: list[int] | None = None) -> Iterator[Event]:
    base = dict(schema_for("product.updated")["examples"][0])
    for i in range(count):
        if consumed is not None:
            consumed.append(i)
        payload = {**base, "eventId": f"bulk-{i:06d}"}
        yield Event.from_payload(
            payload, signature=sign(payload["eventCreated"], payload["eventId"], SECRET)
        )


class FlakyReceiver:
    """Fails a seeded third of first attempts in assorted ways; counts concurrency."""

    def __init__(self, *, seed: int = 3) -> None:
        self.failing = {f"bulk-{i:06d}" for i in random.Random(seed).sample(range(600), 200)}
        self.kinds = ["500", "refused", "timeout", "reset", "crash"]
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.seen: Counter[str] = Counter()

    def _fault(self, request: httpx.Request) -> httpx.Response:
        event_id = request.read().split(b'"eventId":"', 1)[1].split(b'"', 1)[0].decode()
        with self.lock:
            self.seen[event_id] += 1
            first = self.seen[event_id] == 1
        if not (first and event_id in self.failing):
            return httpx.Response(200)
        kind = self.kinds[int(event_id[-6:]) % len(self.kinds)]
        if kind == "500":
            return httpx.Response(500, text="boom")
        if kind == "refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if kind == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if kind == "reset":
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        raise RuntimeError("receiver crashed")

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._fault(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let other tasks in, so concurrency is real
            return self._fault(request)
        finally:
            with self.lock:
                self.in_flight -= 1


def test_every_event_gets_exactly_one_outcome_under_concurrent_failures() -> None:
    receiver = FlakyReceiver()
    sender = Sender(URL, transport=httpx.MockTransport(receiver.handler))
    run = sender.send_many(events(600), concurrency=16)
    deliveries = list(run)
    ids = Counter(d.event.event_id for d in deliveries)
    assert len(ids) == 600
    assert set(ids.values()) == {1}
    assert run.summary.total == 600
    assert run.summary.by_outcome == {"delivered": 400, "retrying": 200, "dropped": 0, "blocked": 0}
    assert run.summary.attempts == 600
    assert sum(run.summary.reasons.values()) == 200
    assert {d.event.event_id for d in deliveries if not d.delivered} == receiver.failing
    assert receiver.max_in_flight <= 16
    assert sender.pending == 200
    assert sender.deliveries.count == 0  # bulk results are streamed, not kept
    assert sender.run_until_idle(concurrency=8) == 200  # each failure's first retry succeeds
    assert all(d.delivered for d in deliveries)
    assert sum(receiver.seen.values()) == 800


def test_events_are_read_lazily() -> None:
    consumed: list[int] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    sender = Sender(URL, transport=transport)
    run = sender.send_many(events(10_000, consumed), concurrency=4)
    first = next(run)
    assert first.delivered
    assert len(consumed) <= 2 * 4 + 1  # the workers and the queue window, not the 10,000
    run.close()


def test_a_run_drains_into_a_summary_with_percentiles() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    sender = Sender(URL, transport=transport)
    summary = sender.send_many(events(300), concurrency=5).run()
    assert summary.all_delivered
    assert summary.total == 300
    assert summary.p50 is not None
    assert summary.p50 <= summary.p95 <= summary.p99  # type: ignore[operator]
    assert summary.over_budget == 0
    assert summary.rate is not None


def test_blocked_events_come_out_at_once() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    policy = RetryPolicy([60], block_after=60)
    sender = Sender(URL, transport=transport, retry_policy=policy)
    sender.send(next(events(1)))
    sender.run_until_idle()
    assert sender.blocked
    outcomes = Counter(d.outcome for d in sender.send_many(events(50), concurrency=3))
    assert outcomes == {Outcome.BLOCKED: 50}


def test_an_in_process_receiver_that_crashes_mid_run_leaves_every_outcome() -> None:
    calls = Counter[str]()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        calls["n"] += 1
        if calls["n"] % 7 == 0:
            raise RuntimeError("receiver crashed")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with Sender.for_app(app) as sender:
        run = sender.send_many(events(140), concurrency=6)
        deliveries = list(run)
    assert len({d.event.event_id for d in deliveries}) == 140
    assert run.summary.by_outcome["delivered"] == 120
    assert run.summary.by_outcome["retrying"] == 20
    assert run.summary.reasons == {"status 500 Internal Server Error": 20}


@pytest.mark.asyncio
async def test_async_bulk_has_the_same_accounting() -> None:
    receiver = FlakyReceiver(seed=11)
    transport = httpx.MockTransport(receiver.async_handler)
    async with AsyncSender(URL, transport=transport) as sender:
        run = sender.send_many(events(600), concurrency=32)
        deliveries = [d async for d in run]
        assert len({d.event.event_id for d in deliveries}) == 600
        assert run.summary.by_outcome["delivered"] == 400
        assert run.summary.by_outcome["retrying"] == 200
        assert 1 < receiver.max_in_flight <= 32
        await sender.run_until_idle(concurrency=8)
    assert all(d.delivered for d in deliveries)


@pytest.mark.asyncio
async def test_async_bulk_reads_lazily_and_drains() -> None:
    consumed: list[int] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    async with AsyncSender(URL, transport=transport) as sender:
        run = sender.send_many(events(5_000, consumed), concurrency=3)
        first = await run.__anext__()
        assert first.delivered
        assert len(consumed) <= 6
        await run.aclose()
        summary = await sender.send_many(events(100), concurrency=3).run()
    assert summary.total == summary.delivered == 100


def test_the_handoff_holds_writers_back_and_survives_cancelled_waiters() -> None:
    from ecwid_mock._delivery.bulk import _Handoff

    async def go() -> list[Any]:
        handoff = _Handoff(1)
        assert handoff.offer("a")  # type: ignore[arg-type]
        assert not handoff.offer("b")  # type: ignore[arg-type]  # full: nothing done
        gave_up = asyncio.ensure_future(handoff.put("x"))  # type: ignore[arg-type]
        waits = asyncio.ensure_future(handoff.put("b"))  # type: ignore[arg-type]
        await asyncio.sleep(0)  # both writers now wait for room
        gave_up.cancel()
        got = [await handoff.get()]  # room for the writer still waiting, not the cancelled
        await waits
        got.append(await handoff.get())
        reader = asyncio.ensure_future(handoff.get())
        await asyncio.sleep(0)  # the reader waits for an item
        reader.cancel()
        await asyncio.sleep(0)
        assert handoff.offer("c")  # type: ignore[arg-type]  # the cancelled reader is skipped
        got.append(await handoff.get())
        return got

    assert asyncio.run(go()) == ["a", "b", "c"]
