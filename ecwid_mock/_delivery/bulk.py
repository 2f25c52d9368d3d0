"""The bulk engine: many deliveries with bounded concurrency and bounded memory.

Events are pulled from the caller's iterable only when a worker is free, and each delivery
is handed back once, as soon as its attempt ends, so a million events take the memory of
``concurrency`` of them. A receiver that crashes, hangs or resets still yields one outcome
per event: failures are attempts, never exceptions. Every event sent ends in exactly one
record: when the caller's iterable raises, the deliveries already in flight finish and come
out before the error; when the consumer stops early, they finish and are kept in
``run.unread``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from .._transports.inprocess import PARALLEL
from .record import Delivery, DeliverySummary, Outcome

if TYPE_CHECKING:
    from .runner import LoopRunner

__all__ = ["AsyncBulkRun", "BulkRun", "attempt_stream"]


class _Handoff:
    """Finished deliveries from many workers to one reader, at most ``room`` of them waiting.

    What ``asyncio.Queue`` does for this, cut to one reader: a put is one call and a deque
    append, a get one popleft, and a future only for whoever has to wait (bench P2).
    """

    def __init__(self, room: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._items: deque[Delivery | None] = deque()
        self._room = room
        self._reader: asyncio.Future[None] | None = None
        self._writers: deque[asyncio.Future[None]] = deque()

    def offer(self, item: Delivery | None) -> bool:
        """Hand ``item`` over; False (and nothing done) when there is no room."""
        if len(self._items) >= self._room:
            return False
        self._items.append(item)
        reader = self._reader
        if reader is not None:
            self._reader = None
            if not reader.done():
                reader.set_result(None)
        return True

    async def put(self, item: Delivery | None) -> None:
        while not self.offer(item):
            waiter = self._loop.create_future()
            self._writers.append(waiter)
            await waiter

    async def get(self) -> Delivery | None:
        items = self._items
        while not items:
            self._reader = waiter = self._loop.create_future()
            await waiter
        item = items.popleft()
        writers = self._writers
        while writers:
            writer = writers.popleft()
            if not writer.done():
                writer.set_result(None)
                break
        return item


async def attempt_stream(
    opened: Iterator[Delivery],
    attempt: Callable[[Delivery], Awaitable[Delivery]],
    concurrency: int,
    unread: list[Delivery],
) -> AsyncIterator[Delivery]:
    """Attempt each delivery with ``concurrency`` workers pulling from ``opened``.

    Workers (not a task per event) keep the per-delivery cost flat. Finished deliveries pass
    through a queue of bounded size, so a slow consumer holds the workers back instead of
    piling up results. Deliveries finished after the consumer stopped go to ``unread``.
    """
    queue = _Handoff(concurrency)
    source_errors: list[Exception] = []
    stopping = False

    async def worker() -> None:
        PARALLEL.set(concurrency > 1)  # this task's own context: sync transports use threads
        try:
            while not stopping and not source_errors:
                try:
                    delivery = next(opened)  # a shared iterator: next() never awaits
                except StopIteration:
                    break
                except Exception as exc:  # the caller's iterable failed: raise it there
                    source_errors.append(exc)
                    break
                if delivery.outcome is Outcome.RETRYING:
                    delivery = await attempt(delivery)
                if not queue.offer(delivery):  # no coroutine to make and run, unless full
                    await queue.put(delivery)
        finally:
            await queue.put(None)  # this worker is done

    workers = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
    finished = 0
    try:
        while finished < concurrency:
            item = await queue.get()
            if item is None:
                finished += 1
                continue
            yield item
        if source_errors:
            raise source_errors[0]
    finally:
        stopping = True
        while finished < concurrency:  # the consumer stopped early: keep what finishes
            item = await queue.get()
            if item is None:
                finished += 1
            else:
                unread.append(item)
        await asyncio.gather(*workers, return_exceptions=True)


class _RunBase:
    def __init__(self) -> None:
        self.summary = DeliverySummary()
        #: Deliveries that finished after the consumer stopped reading (also in ``summary``).
        self.unread: list[Delivery] = []
        self._started: float | None = None
        self._counted = 0

    def _count(self, delivery: Delivery) -> Delivery:
        self.summary.add(delivery)
        self._tick()
        return delivery

    def _tick(self) -> None:
        if self._started is not None:
            self.summary.elapsed = time.perf_counter() - self._started

    def _count_unread(self) -> None:
        for delivery in self.unread[self._counted :]:
            self.summary.add(delivery)
        self._counted = len(self.unread)
        self._tick()


class AsyncBulkRun(_RunBase, AsyncIterator[Delivery]):
    """The deliveries of ``AsyncSender.send_many``, as they finish, with a running summary.

    ``summary`` counts each delivery (in the outcome it had when it came out) and the time
    per attempt; ``summary.elapsed`` is the wall time from the first to the last.
    """

    def __init__(self, make: Callable[[list[Delivery]], AsyncIterator[Delivery]]) -> None:
        super().__init__()
        self._deliveries = make(self.unread)

    def __aiter__(self) -> AsyncBulkRun:
        return self

    async def __anext__(self) -> Delivery:
        if self._started is None:
            self._started = time.perf_counter()
        try:
            delivery = await self._deliveries.__anext__()
        except StopAsyncIteration:
            self._tick()
            raise
        return self._count(delivery)

    async def run(self) -> DeliverySummary:
        """Drain the run without keeping the deliveries; returns the summary."""
        async for _ in self:
            pass
        return self.summary

    async def aclose(self) -> None:
        """Stop early: no more events are read; attempts in flight finish into ``unread``."""
        aclose = getattr(self._deliveries, "aclose", None)
        if aclose is not None:
            await aclose()
        self._count_unread()


class BulkRun(_RunBase, Iterator[Delivery]):
    """The sync :class:`AsyncBulkRun` of ``Sender.send_many``: the same run, driven by a loop.

    Attempts make progress while you iterate (the sender's loop runs inside ``next()``).
    """

    def __init__(
        self, runner: LoopRunner, make: Callable[[list[Delivery]], AsyncIterator[Delivery]]
    ) -> None:
        super().__init__()
        self._runner = runner
        self._deliveries = make(self.unread)

    def __iter__(self) -> BulkRun:
        return self

    def __next__(self) -> Delivery:
        if self._started is None:
            self._started = time.perf_counter()
        try:
            delivery = self._runner.run(_next(self._deliveries))
        except StopAsyncIteration:
            self._tick()
            raise StopIteration from None
        return self._count(delivery)

    def run(self) -> DeliverySummary:
        """Drain the run without keeping the deliveries; returns the summary."""
        for _ in self:
            pass
        return self.summary

    def close(self) -> None:
        """Stop early: no more events are read; attempts in flight finish into ``unread``."""
        aclose = getattr(self._deliveries, "aclose", None)
        if aclose is not None:
            self._runner.run(aclose())
        self._count_unread()

    def __enter__(self) -> BulkRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


async def _next(iterator: AsyncIterator[Delivery]) -> Delivery:
    return await iterator.__anext__()
