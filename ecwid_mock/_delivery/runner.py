"""Run the async delivery flow from sync code, on one private event loop.

``Sender`` is a thin sync driver: each call runs the coroutine that ``AsyncSender`` awaits,
so both share every line of delivery logic and the one network engine. The loop runs in the
calling thread (no thread hop per send: a background-loop portal, as Starlette's TestClient
uses, made in-process delivery 2.5x slower than a bare ASGITransport loop). Calls from
several threads share the loop, interleaved as in a server: the first thread drives it until
every coroutine submitted meanwhile is done. From inside a running event loop a helper
thread drives it instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopRunner"]

T = TypeVar("T")


class LoopRunner:
    """Runs coroutines to completion on a private loop (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._driving = False
        self._outstanding = 0
        self._answered: asyncio.Event | None = None

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the private loop and return its result (or raise its error)."""
        if not _in_running_loop():
            return self._run(coroutine)
        outcome: list[Any] = []

        def drive() -> None:
            try:
                outcome.append(self._run(coroutine))
            except BaseException as exc:  # handed to the caller below
                outcome.append(exc)

        helper = threading.Thread(target=drive, name="ecwid-mock-sender")
        helper.start()
        helper.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        result: T = outcome[0]
        return result

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
                self._answered = None
                # A sender dropped without close() must not leak its loop's sockets.
                weakref.finalize(self, _close_loop, self._loop)
            loop = self._loop
            joining = self._driving
            if joining:
                self._outstanding += 1
                future = asyncio.run_coroutine_threadsafe(coroutine, loop)
            else:
                self._driving = True
        if joining:
            # Counted as done only once the caller's future holds the result (the task's own
            # completion is one loop turn earlier, and the driver must not stop the loop in
            # between). Added outside the lock: a future already done runs the callback at
            # once, and the callback takes the lock.
            future.add_done_callback(self._joined_done)
            return future.result()
        try:
            return loop.run_until_complete(coroutine)
        finally:
            self._drain(loop)

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the loop until no coroutine submitted by another thread is left."""
        while True:
            with self._lock:
                if self._outstanding == 0:
                    self._driving = False
                    return
            loop.run_until_complete(self._wait_answered())

    async def _wait_answered(self) -> None:
        if self._answered is None:
            self._answered = asyncio.Event()
        await self._answered.wait()
        self._answered.clear()

    def _joined_done(self, _: object) -> None:
        with self._lock:
            self._outstanding -= 1
            loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # closed meanwhile: nobody waits
                loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._answered is None:
            self._answered = asyncio.Event()
        self._answered.set()

    def close(self) -> None:
        """Close the loop (after the sender closed its connections on it)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            _close_loop(loop)


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed():
        return
    if _in_running_loop():  # another loop runs in this thread: just close this one
        loop.close()
        return
    with contextlib.suppress(Exception):
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
