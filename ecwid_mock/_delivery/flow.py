"""The delivery steps, written once as coroutines over the core and one poster.

``AsyncSender`` awaits them; ``Sender`` runs the very same coroutines on its private loop
(:mod:`.runner`). Whatever carries the request (the network engine, an in-process app, a
user's httpx transport), the attempt is timed, recorded and judged here.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

from .._errors import InvalidOption
from .._events.event import Event
from .._transports.inprocess import Poster
from .bulk import attempt_stream
from .core import DeliveryCore
from .record import Delivery, Outcome

__all__ = ["DeliveryFlow", "check_count", "order_batch"]

T = TypeVar("T")


def check_count(name: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` if it is a whole number in range, else one clear line."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidOption(name, value, f"an integer of at least {minimum}")
    if maximum is not None and value > maximum:
        raise InvalidOption(name, value, f"an integer of at most {maximum:,}")
    return value


#: The most deliveries a bulk run keeps in flight at once (each holds a connection).
MAX_CONCURRENCY = 10_000


def order_batch(
    items: Sequence[T], *, shuffle: bool, seed: int | None, delay: Mapping[int, int] | None
) -> list[T]:
    """The order ``send_batch`` sends ``items`` in (see ``Sender.send_batch``)."""
    order = list(range(len(items)))
    if shuffle:
        random.Random(0 if seed is None else seed).shuffle(order)
    for index, later in sorted((delay or {}).items()):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(items):
            raise InvalidOption(
                "delay index", index, f"an index into the batch (0 to {len(items) - 1})"
            )
        check_count(f"delay for event {index}", later, minimum=0)
        position = order.index(index)
        order.pop(position)
        order.insert(min(position + later, len(order)), index)
    return [items[i] for i in order]


class DeliveryFlow:
    """Attempts, batches, retries and bulk runs of one core through one poster."""

    def __init__(self, core: DeliveryCore, poster: Poster) -> None:
        self.core = core
        self.poster = poster

    async def attempt(self, delivery: Delivery) -> Delivery:
        wire = delivery._wire
        if wire is None:  # finished meanwhile (blocked or cleared)
            return delivery
        clock = self.core.clock
        due = delivery.next_retry_at
        sent = clock.now()
        started = time.perf_counter()
        answer = await self.poster.post(wire)
        duration = time.perf_counter() - started
        self.core.record(delivery, sent if due is None else due, sent, duration, answer)
        return delivery

    async def attempt_all(self, deliveries: Sequence[Delivery], concurrency: int) -> None:
        if concurrency <= 1 or len(deliveries) <= 1:
            for delivery in deliveries:
                await self.attempt(delivery)
            return
        unread: list[Delivery] = []
        stream = attempt_stream(iter(deliveries), self.attempt, concurrency, unread)
        async for _ in stream:
            pass

    async def send_all(self, events: Sequence[Event], concurrency: int) -> list[Delivery]:
        """Open a delivery for each event, log it, and make each first attempt."""
        core = self.core
        deliveries = [core.open(e) for e in events]
        with core.lock:
            for delivery in deliveries:
                core.history.record(delivery)
        await self.attempt_all(
            [d for d in deliveries if d.outcome is Outcome.RETRYING], concurrency
        )
        return deliveries

    def stream(
        self, events: Iterable[Event], concurrency: int, unread: list[Delivery]
    ) -> AsyncIterator[Delivery]:
        """A bulk run: first attempts of ``events``, read lazily, ``concurrency`` at a time."""
        core = self.core

        def opened() -> Iterator[Delivery]:
            for event in events:
                yield core.open(event)

        return attempt_stream(opened(), self.attempt, concurrency, unread)

    async def run_pending(self, concurrency: int) -> int:
        """Send every retry due now (at once, even if overdue); returns attempts made."""
        made = 0
        while True:
            due = self.core.take_due(self.core.clock.now())
            if not due:
                return made
            await self.attempt_all(due, concurrency)
            made += len(due)

    async def run_until_idle(self, until: float | None, concurrency: int) -> int:
        """Let time pass until no retry is left (or until ``until``); returns attempts made."""
        core = self.core
        made = 0
        while True:
            due = core.next_due()
            if due is None or (until is not None and due > until):
                break
            await core.clock.wait_until_async(due)
            made += await self.run_pending(concurrency)
        if until is not None:
            await core.clock.wait_until_async(until)
        return made
