"""In-process receivers and user-given httpx transports, answering like the network engine.

An ASGI or WSGI app under test gets the limits a network receiver gets (a hanging app is a
``timeout``) and its failures are shown: an app that raises answers 500, as a server
would, and the attempt keeps the traceback. Any ``httpx`` transport a user passes (e.g.
``httpx.MockTransport``) is driven the same way. Every path returns an :class:`Answer`
and fails through the one error table.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from .errors import classify
from .wire import BODY_KEEP, Answer, Timeouts, Wire

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncTransportPoster", "Poster", "SyncTransportPoster", "app_poster"]


class Poster(Protocol):
    """What the delivery core drives: POST one wire, get one answer; never raises."""

    async def post(self, wire: Wire) -> Answer: ...

    async def aclose(self) -> None: ...


def _internal_error(exc: BaseException) -> Answer:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Answer(
        status_code=500,
        reason_phrase="Internal Server Error",
        http_version="HTTP/1.1",
        headers=(("content-type", "text/plain; charset=utf-8"),),
        body=b"Internal Server Error",
        app_error=text,
    )


def _from_response(response: httpx.Response, body: bytes, truncated: bool) -> Answer:
    return Answer(
        status_code=response.status_code,
        reason_phrase=response.reason_phrase,
        http_version=response.http_version,
        headers=tuple(response.headers.items()),
        body=body,
        body_truncated=truncated,
    )


def _failure(exc: BaseException, timeouts: Timeouts) -> Answer:
    kind, detail = classify(
        exc, "answer", connect_timeout=timeouts.connect, response_timeout=timeouts.response
    )
    return Answer.failure(kind, detail)


class SyncTransportPoster:
    """Drives an ``httpx.BaseTransport`` (sync) from the delivery core, in worker threads.

    Threads let concurrent sends overlap, as they would against a server; a transport's
    handler may block (a ``threading.Barrier`` in a test) without stopping the loop.
    """

    def __init__(self, transport: httpx.BaseTransport, timeouts: Timeouts, *, owned: bool):
        self.transport = transport
        self._timeouts = timeouts
        self._owned = owned
        self._pool: Any = None

    def _call(self, wire: Wire) -> Answer:
        try:
            response = self.transport.handle_request(wire.httpx_request())
            try:
                chunks, size = [], 0
                for chunk in response.stream:  # type: ignore[union-attr]
                    chunks.append(chunk)
                    size += len(chunk)
                body = b"".join(chunks)
            finally:
                response.close()
        except Exception as exc:
            return _failure(exc, self._timeouts)
        return _from_response(response, body[:BODY_KEEP], size > BODY_KEEP)

    async def post(self, wire: Wire) -> Answer:
        import asyncio

        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(64, thread_name_prefix="ecwid-mock-transport")
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._call, wire)

    async def aclose(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        if self._owned:
            self.transport.close()


class AsyncTransportPoster:
    """Drives an ``httpx.AsyncBaseTransport`` from the delivery core."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeouts: Timeouts, *, owned: bool):
        self.transport = transport
        self._timeouts = timeouts
        self._owned = owned

    async def post(self, wire: Wire) -> Answer:
        try:
            response = await self.transport.handle_async_request(wire.httpx_request())
            try:
                chunks, size = [], 0
                async for chunk in response.stream:  # type: ignore[union-attr]
                    chunks.append(chunk)
                    size += len(chunk)
                body = b"".join(chunks)
            finally:
                await response.aclose()
        except Exception as exc:
            return _failure(exc, self._timeouts)
        return _from_response(response, body[:BODY_KEEP], size > BODY_KEEP)

    async def aclose(self) -> None:
        if self._owned:
            await self.transport.aclose()


def _error_text(errors: list[BaseException]) -> str:
    return "".join(
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) for exc in errors
    )


class _ASGIPoster:
    """An ASGI app called in the running loop, with the response limit a network has.

    What the app sent is the answer (a server would have sent it too); an app that raised
    before answering gets a 500, as from a server, and the traceback is kept either way.
    """

    def __init__(self, app: Callable[..., Any], timeouts: Timeouts) -> None:
        self._app = app
        self._timeouts = timeouts

    async def post(self, wire: Wire) -> Answer:
        import asyncio

        import httpx

        errors: list[BaseException] = []
        app = self._app

        async def watched(scope: Any, receive: Any, send: Any) -> None:
            try:
                await app(scope, receive, send)
            except Exception as exc:
                errors.append(exc)
                raise

        transport = httpx.ASGITransport(app=watched, raise_app_exceptions=False)
        try:
            response = await asyncio.wait_for(
                transport.handle_async_request(wire.httpx_request()), self._timeouts.response
            )
            body = await response.aread()
        except (asyncio.TimeoutError, TimeoutError):
            return Answer.failure(
                "timeout", f"no complete answer within {self._timeouts.response:g} s"
            )
        except Exception as exc:  # httpx could not even start the app
            return _internal_error(exc)
        answer = _from_response(response, body[:BODY_KEEP], len(body) > BODY_KEEP)
        return replace(answer, app_error=_error_text(errors)) if errors else answer

    async def aclose(self) -> None:
        return None


class _WSGIPoster:
    """A WSGI app in a worker thread, so a hanging app becomes a timeout."""

    def __init__(self, app: Callable[..., Any], timeouts: Timeouts) -> None:
        self._app = app
        self._timeouts = timeouts

    async def post(self, wire: Wire) -> Answer:
        import asyncio

        import httpx

        loop = asyncio.get_running_loop()
        done: asyncio.Future[Answer] = loop.create_future()
        request = wire.httpx_request()
        app = self._app

        def call() -> None:
            errors: list[BaseException] = []

            def watched(environ: Any, start_response: Any) -> Any:
                try:
                    return app(environ, start_response)
                except Exception as exc:
                    errors.append(exc)
                    raise

            transport = httpx.WSGITransport(app=watched, raise_app_exceptions=True)
            try:
                response = transport.handle_request(request)
                try:
                    body = b"".join(response.stream)  # type: ignore[arg-type]
                finally:
                    response.close()
                answer = _from_response(response, body[:BODY_KEEP], len(body) > BODY_KEEP)
            except Exception as exc:  # the app raised: a server answers 500
                answer = _internal_error(errors[0] if errors else exc)
            with contextlib.suppress(RuntimeError):  # the loop closed while the app hung
                loop.call_soon_threadsafe(_settle, done, answer)

        threading.Thread(target=call, name="ecwid-mock-wsgi", daemon=True).start()
        try:
            return await asyncio.wait_for(asyncio.shield(done), self._timeouts.response)
        except (asyncio.TimeoutError, TimeoutError):
            return Answer.failure(
                "timeout", f"no complete answer within {self._timeouts.response:g} s"
            )

    async def aclose(self) -> None:
        return None


def _settle(future: Any, answer: Answer) -> None:
    if not future.done():
        future.set_result(answer)


def app_poster(app: Callable[..., Any], kind: str, timeouts: Timeouts) -> Poster:
    """The poster for an in-process app (``kind`` from :func:`.apps.app_kind`)."""
    if kind == "wsgi":
        return _WSGIPoster(app, timeouts)
    return _ASGIPoster(app, timeouts)
