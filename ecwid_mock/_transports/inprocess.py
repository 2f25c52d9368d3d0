"""In-process receivers and user-given httpx transports, answering like the network engine.

An ASGI or WSGI app under test gets the limits a network receiver gets (a hanging app is a
``timeout``) and its failures are shown: an app that raises answers 500, as a server
would, and the attempt keeps the traceback. Any ``httpx`` transport a user passes (e.g.
``httpx.MockTransport``) is driven the same way. Every path returns an :class:`Answer`
and fails through the one error table.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import unquote

from .errors import classify
from .wire import BODY_KEEP, Answer, Timeouts, Wire

if TYPE_CHECKING:
    import httpx

__all__ = [
    "PARALLEL",
    "AsyncTransportPoster",
    "Poster",
    "SyncTransportPoster",
    "app_poster",
    "within",
]

T = TypeVar("T")


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


#: True while the delivery flow runs several attempts at once (set by the flow).
PARALLEL: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ecwid_mock_parallel", default=False
)


class SyncTransportPoster:
    """Drives an ``httpx.BaseTransport`` (sync) from the delivery core.

    One attempt at a time runs inline. Concurrent attempts run in worker threads, so they
    overlap as they would against a server, and a handler may block (a
    ``threading.Barrier`` in a test) without stopping the others.
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

        if not PARALLEL.get():  # one at a time: no thread hop (28,000 retries in a second)
            return self._call(wire)
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


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """``await awaitable``, or TimeoutError after ``seconds``; no task is created for it.

    (``asyncio.wait_for`` wraps the awaitable in a task: a third of an in-process delivery.)
    """
    import asyncio

    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expired:
            uncancel = getattr(task, "uncancel", None)  # 3.11+: the cancel was ours, not theirs
            if uncancel is not None:
                uncancel()
            raise TimeoutError from None
        raise
    finally:
        timer.cancel()


class _ASGIPoster:
    """An ASGI app called in the running loop, as a server would call it, within the limit.

    The app gets the scope, body and disconnect a server gives (as httpx's ASGITransport
    does) without an httpx request and response around each call: that wrapping cost more
    than the delivery itself (benchmarks/bench_sender.py). What the app sent is the answer;
    an app that raised before answering gets a 500, as from a server, and the traceback is
    kept either way.
    """

    def __init__(self, app: Callable[..., Any], timeouts: Timeouts) -> None:
        self._app = app
        self._timeouts = timeouts

    async def post(self, wire: Wire) -> Answer:
        import asyncio

        target = wire.target
        path, _, query = target.request_target.partition("?")
        headers = [(b"host", target.host_header.encode("ascii"))]
        headers += [(k.lower().encode("ascii"), v.encode("latin-1")) for k, v in wire.lines]
        headers.append((b"content-length", b"%d" % len(wire.body)))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": target.scheme,
            "path": unquote(path),
            "raw_path": path.encode("ascii"),
            "query_string": query.encode("ascii"),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 123),
            "server": (target.host, target.port),
            "extensions": {},
        }
        body_sent = False
        done = asyncio.Event()
        status: int | None = None
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        size = 0

        async def receive() -> dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": wire.body, "more_body": False}
            await done.wait()  # as a server: the client goes away once answered
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, size
            kind = message["type"]
            if kind == "http.response.start" and status is None:
                status = int(message["status"])
                response_headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", ())
                )
            elif kind == "http.response.body" and status is not None and not done.is_set():
                body = message.get("body", b"")
                if size < BODY_KEEP:
                    chunks.append(body)
                size += len(body)
                if not message.get("more_body", False):
                    done.set()

        error: BaseException | None = None
        try:
            await within(self._app(scope, receive, send), self._timeouts.response)
        except TimeoutError:
            if not done.is_set():
                return Answer.failure(
                    "timeout", f"no complete answer within {self._timeouts.response:g} s"
                )
        except Exception as exc:  # the app raised: a server answers 500 if nothing was sent
            error = exc
        if status is None:
            return _internal_error(error or RuntimeError("the app returned without answering"))
        body = b"".join(chunks)
        return Answer(
            status_code=status,
            reason_phrase=_phrase(status),
            http_version="HTTP/1.1",
            headers=tuple(response_headers),
            body=body[:BODY_KEEP],
            body_truncated=size > BODY_KEEP,
            app_error=_error_text([error]) if error is not None else "",
        )

    async def aclose(self) -> None:
        return None


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


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
