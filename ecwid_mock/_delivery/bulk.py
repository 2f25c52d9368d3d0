"""The bulk engine: many deliveries with bounded concurrency and bounded memory.

Events are pulled from the caller's iterable only when a slot is free, and each delivery
is handed back once, as soon as its attempt ends, so a million events take the memory
of ``concurrency`` of them. A receiver that crashes, hangs or resets still yields one
outcome per event: failures are attempts, never exceptions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from .record import Delivery, DeliverySummary, Outcome

__all__ = ["AsyncBulkRun", "BulkRun", "aiter_tasks", "iter_threaded"]


class BulkRun(Iterator[Delivery]):
    """The deliveries of ``Sender.send_many``, as they finish, with a running summary.

    ``summary`` counts each delivery (in the outcome it had when it came out) and the
    time per attempt; ``summary.elapsed`` is the wall time from the first to the last.
    """

    def __init__(self, deliveries: Iterator[Delivery]) -> None:
        self._deliveries = deliveries
        self.summary = DeliverySummary()
        self._started: float | None = None

    def __iter__(self) -> BulkRun:
        return self

    def __next__(self) -> Delivery:
        if self._started is None:
            self._started = time.perf_counter()
        try:
            delivery = next(self._deliveries)
        except StopIteration:
            self.summary.elapsed = time.perf_counter() - self._started
            raise
        self.summary.add(delivery)
        self.summary.elapsed = time.perf_counter() - self._started
        return delivery

    def run(self) -> DeliverySummary:
        """Drain the run without keeping the deliveries; returns the summary."""
        for _ in self:
            pass
        return self.summary

    def close(self) -> None:
        """Stop early: no more events are read; attempts in flight finish first."""
        close = getattr(self._deliveries, "close", None)
        if close is not None:
            close()


class AsyncBulkRun(AsyncIterator[Delivery]):
    """The async :class:`BulkRun` of ``AsyncSender.send_many`` (``async for``)."""

    def __init__(self, deliveries: AsyncIterator[Delivery]) -> None:
        self._deliveries = deliveries
        self.summary = DeliverySummary()
        self._started: float | None = None

    def __aiter__(self) -> AsyncBulkRun:
        return self

    async def __anext__(self) -> Delivery:
        if self._started is None:
            self._started = time.perf_counter()
        try:
            delivery = await self._deliveries.__anext__()
        except StopAsyncIteration:
            self.summary.elapsed = time.perf_counter() - self._started
            raise
        self.summary.add(delivery)
        self.summary.elapsed = time.perf_counter() - self._started
        return delivery

    async def run(self) -> DeliverySummary:
        """Drain the run without keeping the deliveries; returns the summary."""
        async for _ in self:
            pass
        return self.summary

    async def aclose(self) -> None:
        aclose = getattr(self._deliveries, "aclose", None)
        if aclose is not None:
            await aclose()


def iter_threaded(
    opened: Iterator[Delivery], attempt: Callable[[Delivery], Delivery], concurrency: int
) -> Iterator[Delivery]:
    """Attempt each delivery in a thread pool, at most ``concurrency`` at once."""
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ecwid-mock-bulk") as pool:
        in_flight: set[Future[Delivery]] = set()
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < concurrency:
                delivery = next(opened, None)
                if delivery is None:
                    exhausted = True
                elif delivery.outcome is not Outcome.RETRYING:
                    yield delivery  # blocked before any attempt
                else:
                    in_flight.add(pool.submit(attempt, delivery))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


async def aiter_tasks(
    opened: Iterator[Delivery],
    attempt: Callable[[Delivery], Awaitable[Delivery]],
    concurrency: int,
) -> AsyncIterator[Delivery]:
    """Attempt each delivery with ``concurrency`` worker tasks pulling from ``opened``.

    Workers (not a task per event) keep the per-delivery cost flat: no set of futures is
    rescanned on each completion. Finished deliveries pass through a queue of bounded size,
    so a slow consumer holds the workers back instead of piling up results.
    """
    queue: asyncio.Queue[Delivery | _Done] = asyncio.Queue(maxsize=concurrency)

    async def worker() -> None:
        try:
            for delivery in opened:  # a shared iterator: next() never awaits, so no overlap
                if delivery.outcome is Outcome.RETRYING:
                    delivery = await attempt(delivery)
                await queue.put(delivery)
        except Exception as exc:  # bad input from the caller's iterable: raise it there
            await queue.put(_Done(exc))
        else:
            await queue.put(_Done(None))

    workers = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
    finished = 0
    try:
        while finished < concurrency:
            item = await queue.get()
            if isinstance(item, _Done):
                finished += 1
                if item.error is not None:
                    raise item.error
                continue
            yield item
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


class _Done:
    """A worker ran out of events (or hit an error in the caller's iterable)."""

    __slots__ = ("error",)

    def __init__(self, error: Exception | None) -> None:
        self.error = error
