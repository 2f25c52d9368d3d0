"""The sync sender's in-process ASGI transport: one private loop, real interleaving."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from ecwid_mock import EventFactory, Sender


class MeetingApp:
    """Answers 200 only when ``expected`` requests are in flight at once (else 503 after 2 s)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.in_flight = 0
        self.loops: set[int] = set()
        self.threads: set[str] = set()
        self._met: asyncio.Event | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.loops.add(id(asyncio.get_running_loop()))
        self.threads.add(threading.current_thread().name)
        if self._met is None:
            self._met = asyncio.Event()
        self.in_flight += 1
        if self.in_flight >= self.expected:
            self._met.set()
        try:
            await asyncio.wait_for(self._met.wait(), timeout=2)
            status = 200
        except TimeoutError:
            status = 503
        self.in_flight -= 1
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def test_concurrent_sends_interleave_on_one_loop() -> None:
    app = MeetingApp(expected=3)
    factory = EventFactory(seed=1)
    with Sender.for_app(app) as sender:
        deliveries = sender.send(factory.build("order.created"), times=3, concurrently=True)
    assert [d.status_code for d in deliveries] == [200, 200, 200]
    assert len(app.loops) == 1


def test_many_concurrent_rounds_all_end() -> None:
    """A regression guard: a joining request must never be left without a loop to run it."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(0)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    results: list[int] = []

    def rounds() -> None:
        with Sender.for_app(app) as sender:
            event = EventFactory(seed=1).build("order.created")
            for _ in range(40):
                deliveries = sender.send(event, times=8, concurrently=True)
                results.extend(d.status_code or 0 for d in deliveries)
            for _ in range(600):  # a joined request may be answered before it is counted
                results.extend(d.status_code or 0 for d in sender.send_many([event] * 8))

    worker = threading.Thread(target=rounds, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "concurrent in-process sends hung"
    assert results == [200] * (320 + 4800)


def test_sequential_sends_run_in_the_calling_thread() -> None:
    app = MeetingApp(expected=1)
    with Sender.for_app(app) as sender:
        for _ in range(3):
            sender.send(EventFactory(seed=1).build("product.updated")).assert_delivered()
    assert app.threads == {threading.current_thread().name}
    assert len(app.loops) == 1


@pytest.mark.asyncio
async def test_sync_send_inside_a_running_loop() -> None:
    app = MeetingApp(expected=1)
    with Sender.for_app(app) as sender:
        factory = EventFactory(seed=1)
        sender.send(factory.build("customer.created")).assert_delivered()
        sender.send(factory.build("customer.updated")).assert_delivered()
    assert len(app.loops) == 1
    assert id(asyncio.get_running_loop()) not in app.loops


@pytest.mark.asyncio
async def test_an_in_process_timeout_leaves_the_callers_task_uncancelled() -> None:
    from ecwid_mock import AsyncSender, Timeouts

    async def hangs(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await asyncio.Event().wait()

    limits = Timeouts(connect=1, response=0.05)
    async with AsyncSender.for_app(hangs, timeouts=limits) as sender:
        delivery = await sender.send(EventFactory(seed=1).build("order.created"))
    assert delivery.attempts[0].error == "timeout"
    task = asyncio.current_task()
    assert task is not None
    if hasattr(task, "cancelling"):  # Python 3.11+
        assert task.cancelling() == 0
    await asyncio.sleep(0)  # still running: the timeout's cancel was taken back
