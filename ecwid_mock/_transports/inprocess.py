"""How the sender reaches a receiver: network, in-process ASGI/WSGI, or any httpx transport.

The sender talks to httpx *transports* directly, not through ``httpx.Client``: Ecwid keeps
no cookies, follows no redirects and adds no auth, so a bare transport is both faster and
more faithful. Every transport answers the same way, so a :class:`~ecwid_mock.Delivery`
looks the same whichever one carried it. In-process apps get the same timeouts as the
network: a hanging app is a ``timeout``, a crashing one a ``500``.

httpx and anyio are imported inside functions, so importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._errors import InvalidOption

if TYPE_CHECKING:
    import httpx

    from .engine import HTTP1Poster

__all__ = [
    "BODY_EXCERPT_CHARS",
    "Answer",
    "HttpxPoster",
    "Timeouts",
    "Wire",
    "app_kind",
    "async_poster_for",
    "classify_error",
    "make_answer",
    "perform",
    "perform_async",
    "resolve_ssl_context",
    "resolve_timeouts",
    "sync_transport_for",
]

#: How much of a response body an Attempt keeps.
BODY_EXCERPT_CHARS = 300
_BODY_READ_LIMIT = 64 * 1024

AppKind = Literal["auto", "asgi", "wsgi"]


@dataclass(frozen=True, slots=True)
class Wire:
    """One webhook request as plain values; each engine builds its own form from it.

    Kept by a Delivery while retries may resend it: every attempt sends these bytes.
    """

    url: str
    parsed_url: Any  # httpx.URL, parsed once per event type
    lines: tuple[tuple[str, str], ...]
    body: bytes
    timeout: dict[str, float | None]

    def httpx_request(self) -> httpx.Request:
        import httpx

        return httpx.Request(
            "POST",
            self.parsed_url,
            headers=self.lines,
            content=self.body,
            extensions={"timeout": self.timeout},
        )


# Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
# delayed ACKs add ~40 ms to every request.
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


@dataclass(frozen=True)
class Timeouts:
    """Ecwid's limits: 3 s to connect, 10 s for the response (each configurable, seconds)."""

    connect: float = 3.0
    response: float = 10.0

    def __post_init__(self) -> None:
        for name in ("connect", "response"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidOption(f"timeouts.{name}", value, "a positive number of seconds")

    def extension(self) -> dict[str, float | None]:
        """The per-request ``timeout`` extension httpx transports read."""
        return {
            "connect": self.connect,
            "read": self.response,
            "write": self.response,
            "pool": None,
        }


def resolve_timeouts(value: object) -> Timeouts:
    """``None`` (Ecwid's 3 s / 10 s), a :class:`Timeouts`, or an ``httpx.Timeout``."""
    if value is None:
        return Timeouts()
    if isinstance(value, Timeouts):
        return value
    import httpx

    if isinstance(value, httpx.Timeout):
        defaults = Timeouts()
        return Timeouts(
            connect=value.connect if value.connect is not None else defaults.connect,
            response=value.read if value.read is not None else defaults.response,
        )
    raise InvalidOption(
        "timeouts", value, "None, ecwid_mock Timeouts(connect=, response=) or an httpx.Timeout"
    )


def resolve_ssl_context(verify: object) -> ssl.SSLContext:
    """The client context for ``verify=``: True (system CAs), a CA file path, or a context.

    There is no way to switch verification off: Ecwid requires a trusted certificate.
    """
    if verify is True:
        import httpx

        context: ssl.SSLContext = httpx.create_ssl_context()
        return context
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, (str, os.PathLike)) and not isinstance(verify, bool):
        path = os.fspath(verify)
        try:
            return ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
            raise InvalidOption(
                "CA file",
                path,
                f"a readable PEM file of trusted CA certificates ({reason})",
                source="verify=",
            ) from None
    raise InvalidOption(
        "verify",
        verify,
        "True, a CA file path or an ssl.SSLContext (certificate checks cannot be turned off: "
        "Ecwid only calls URLs with a trusted certificate; trust a test CA instead)",
    )


# -- answers and errors -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one POST produced: an HTTP answer or a network failure."""

    status_code: int | None = None
    error: str | None = None
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body_excerpt: str = ""


def _answer_from_response(status: int, headers: httpx.Headers, body: bytes) -> Answer:
    return make_answer(status, tuple(headers.items()), headers.get("location"), body)


def make_answer(
    status: int, headers: tuple[tuple[str, str], ...], location: str | None, body: bytes
) -> Answer:
    """The Answer for an HTTP response: Ecwid's verdict, headers and a body excerpt."""
    from .._delivery.record import status_failure

    excerpt = body[: BODY_EXCERPT_CHARS * 4].decode("utf-8", "replace")[:BODY_EXCERPT_CHARS]
    if len(body) > len(excerpt.encode("utf-8")):
        excerpt += "…"
    return Answer(
        status_code=status,
        reason=status_failure(status, location) or "",
        headers=headers,
        body_excerpt=excerpt,
    )


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify_error(exc: BaseException, timeouts: Timeouts) -> tuple[str, str]:
    """(error kind, reason) for an exception raised while posting."""
    import httpx

    chain = _causes(exc)
    text = " | ".join(str(e) for e in chain if str(e))
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect-timeout", f"no connection within {timeouts.connect:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", f"no response within {timeouts.response:g} s"
    ssl_errors = [e for e in chain if isinstance(e, ssl.SSLError)]
    if ssl_errors or "CERTIFICATE_VERIFY_FAILED" in text:
        first = ssl_errors[0] if ssl_errors else None
        detail = (
            getattr(first, "verify_message", None) or getattr(first, "reason", None) or str(first)
            if first is not None
            else text
        )
        return "tls", f"TLS failure: {detail} (Ecwid needs a certificate from a trusted CA)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text.lower():
        return "refused", "connection refused"
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain) or (
        "reset by peer" in text.lower()
    ):
        return "reset", "connection reset by the receiver"
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc):
        # Over TLS Python reports a reset as a bare end of stream: same meaning here.
        return "reset", "connection closed or reset by the receiver before it answered"
    if isinstance(exc, httpx.ProtocolError):
        return "protocol", f"protocol error: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return "connect", f"connection failed: {exc}"
    if isinstance(exc, httpx.NetworkError):
        return "protocol", f"connection broken: {exc or type(exc).__name__}"
    return "protocol", f"transport error {type(exc).__name__}: {exc}"


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.stream:  # type: ignore[union-attr]
        chunks.append(chunk)
        size += len(chunk)
        if size >= _BODY_READ_LIMIT:
            break
    return b"".join(chunks)


async def _aread_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.stream:  # type: ignore[union-attr]
        chunks.append(chunk)
        size += len(chunk)
        if size >= _BODY_READ_LIMIT:
            break
    return b"".join(chunks)


def perform(transport: httpx.BaseTransport, wire: Wire, timeouts: Timeouts) -> Answer:
    """POST ``wire`` once; never raises for anything the receiver does."""
    try:
        response = transport.handle_request(wire.httpx_request())
        try:
            body = _read_capped(response)
        finally:
            response.close()
    except Exception as exc:
        kind, reason = classify_error(exc, timeouts)
        return Answer(error=kind, reason=reason)
    return _answer_from_response(response.status_code, response.headers, body)


async def perform_async(
    transport: httpx.AsyncBaseTransport, wire: Wire, timeouts: Timeouts
) -> Answer:
    """The async :func:`perform`."""
    try:
        response = await transport.handle_async_request(wire.httpx_request())
        try:
            body = await _aread_capped(response)
        finally:
            await response.aclose()
    except Exception as exc:
        kind, reason = classify_error(exc, timeouts)
        return Answer(error=kind, reason=reason)
    return _answer_from_response(response.status_code, response.headers, body)


# -- in-process apps ---------------------------------------------------------------------


def app_kind(app: object, kind: AppKind = "auto") -> Literal["asgi", "wsgi"]:
    """Whether ``app`` is an ASGI app (async, 3 arguments) or a WSGI app."""
    if kind in ("asgi", "wsgi"):
        return kind
    if kind != "auto":
        raise InvalidOption("app kind", kind, "'auto', 'asgi' or 'wsgi'")
    if not callable(app):
        raise InvalidOption("app", app, "an ASGI or WSGI application (a callable)")
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return "asgi"
    return "wsgi"


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if value is not None else None


def _internal_error() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return 500, [(b"content-type", b"text/plain; charset=utf-8")], b"Internal Server Error"


def _call_wsgi(app: Callable[..., Any], request: httpx.Request) -> tuple[int, Any, bytes]:
    """Run a WSGI app to completion as a server would: an exception becomes a 500."""
    import httpx

    transport = httpx.WSGITransport(app=app, raise_app_exceptions=False)
    try:
        response = transport.handle_request(request)
        try:
            body = b"".join(response.stream)  # type: ignore[arg-type]
        finally:
            response.close()
    except Exception:
        return _internal_error()
    return response.status_code, response.headers.raw, body


def _make_sync_wsgi_transport(app: Callable[..., Any]) -> httpx.BaseTransport:
    import httpx

    class WSGIInProcess(httpx.BaseTransport):
        """A WSGI app in a worker thread, so a hanging app becomes a timeout."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            request.read()
            result: list[tuple[int, Any, bytes]] = []
            worker = threading.Thread(
                target=lambda: result.append(_call_wsgi(app, request)),
                name="ecwid-mock-wsgi",
                daemon=True,
            )
            worker.start()
            worker.join(_read_timeout(request))
            if not result:
                raise httpx.ReadTimeout("the app did not answer in time", request=request)
            status, headers, body = result[0]
            return httpx.Response(status, headers=headers, content=body, request=request)

    return WSGIInProcess()


def _make_async_wsgi_transport(app: Callable[..., Any]) -> httpx.AsyncBaseTransport:
    import httpx

    sync = _make_sync_wsgi_transport(app)

    class AsyncWSGIInProcess(httpx.AsyncBaseTransport):
        """A WSGI app called from async code, in a worker thread."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            import anyio.to_thread

            await request.aread()
            response: httpx.Response = await anyio.to_thread.run_sync(sync.handle_request, request)
            return response

    return AsyncWSGIInProcess()


def _make_async_asgi_transport(app: Callable[..., Any]) -> httpx.AsyncBaseTransport:
    import httpx

    inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    class ASGIInProcess(httpx.AsyncBaseTransport):
        """httpx's ASGITransport with the response timeout a network request would have."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            import anyio

            timeout = _read_timeout(request)
            try:
                with anyio.fail_after(timeout):
                    response = await inner.handle_async_request(request)
                    body = await response.aread()
            except TimeoutError:
                raise httpx.ReadTimeout("the app did not answer in time", request=request) from None
            except Exception:
                status, headers, body = _internal_error()
                return httpx.Response(status, headers=headers, content=body, request=request)
            return httpx.Response(
                response.status_code, headers=response.headers.raw, content=body, request=request
            )

    return ASGIInProcess()


def _make_caller_loop_asgi_transport(app: Callable[..., Any]) -> httpx.BaseTransport:
    import asyncio

    import httpx

    inner = _make_async_asgi_transport(app)

    class ASGIInCallerLoop(httpx.BaseTransport):
        """An ASGI app for the sync sender, on one private event loop run by the caller.

        A send one at a time costs no thread hop (a background-loop portal, as Starlette's
        TestClient uses, made in-process delivery 2.5x slower than a bare ASGITransport loop).
        Concurrent sends from several threads all run on the same loop, interleaved as in a
        server: the first thread drives the loop until every request submitted meanwhile is
        answered. From inside a running event loop, a helper thread drives it instead.
        """

        def __init__(self) -> None:
            self._lock = threading.Lock()
            self._loop: asyncio.AbstractEventLoop | None = None
            self._driving = False
            self._outstanding = 0
            self._answered = asyncio.Event()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            request.read()
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return self._handle(request)
            outcome: list[Any] = []

            def drive() -> None:
                try:
                    outcome.append(self._handle(request))
                except BaseException as exc:  # handed to the caller below
                    outcome.append(exc)

            helper = threading.Thread(target=drive, name="ecwid-mock-asgi")
            helper.start()
            helper.join()
            if isinstance(outcome[0], BaseException):
                raise outcome[0]
            response: httpx.Response = outcome[0]
            return response

        def _handle(self, request: httpx.Request) -> httpx.Response:
            with self._lock:
                if self._loop is None:
                    self._loop = asyncio.new_event_loop()
                loop = self._loop
                joining = self._driving
                if joining:
                    self._outstanding += 1
                    future = asyncio.run_coroutine_threadsafe(
                        inner.handle_async_request(request), loop
                    )
                else:
                    self._driving = True
            if joining:
                # Counted as answered only once the caller's future holds the result (a
                # task's own completion is one loop turn earlier, and the driver must not
                # stop the loop in between). Added outside the lock: a future already done
                # runs the callback at once, and the callback takes the lock.
                future.add_done_callback(self._joined_answered)
                joined: httpx.Response = future.result()
                return joined
            try:
                response = loop.run_until_complete(inner.handle_async_request(request))
            finally:
                self._drain(loop)
            return response

        def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
            """Run the loop until no request submitted by another thread is left."""
            while True:
                with self._lock:
                    if self._outstanding == 0:
                        self._driving = False
                        return
                loop.run_until_complete(self._wait_answered())

        async def _wait_answered(self) -> None:
            await self._answered.wait()
            self._answered.clear()

        def _joined_answered(self, _: object) -> None:
            with self._lock:
                self._outstanding -= 1
                loop = self._loop
            if loop is not None:
                with contextlib.suppress(RuntimeError):  # closed meanwhile: nobody waits
                    loop.call_soon_threadsafe(self._answered.set)

        def close(self) -> None:
            with self._lock:
                loop, self._loop = self._loop, None
            if loop is None or loop.is_closed():
                return
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    return ASGIInCallerLoop()


# -- choosing a transport ----------------------------------------------------------------


def sync_transport_for(
    *, app: object, transport: object, ssl_context: ssl.SSLContext | None, app_type: AppKind
) -> tuple[httpx.BaseTransport, bool]:
    """The transport a sync Sender uses, and whether the sender owns (and closes) it."""
    import httpx

    if app is not None:
        kind = app_kind(app, app_type)
        if kind == "wsgi":
            return _make_sync_wsgi_transport(app), True  # type: ignore[arg-type]
        return _make_caller_loop_asgi_transport(app), True  # type: ignore[arg-type]
    if transport is not None:
        if not isinstance(transport, httpx.BaseTransport):
            raise InvalidOption(
                "transport",
                transport,
                "an httpx.BaseTransport for Sender (e.g. httpx.MockTransport); "
                "use AsyncSender for an async transport",
            )
        return transport, False
    return (
        httpx.HTTPTransport(
            verify=ssl_context or True, http1=True, retries=0, socket_options=_SOCKET_OPTIONS
        ),
        True,
    )


class HttpxPoster:
    """POSTs through any httpx async transport (in-process apps, MockTransport, network)."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeouts: Timeouts, *, owned: bool):
        self.transport = transport
        self._timeouts = timeouts
        self._owned = owned

    async def post(self, wire: Wire) -> Answer:
        return await perform_async(self.transport, wire, self._timeouts)

    async def aclose(self) -> None:
        if self._owned:
            await self.transport.aclose()


def async_poster_for(
    *,
    app: object,
    transport: object,
    ssl_context: ssl.SSLContext | None,
    app_type: AppKind,
    timeouts: Timeouts,
) -> HttpxPoster | HTTP1Poster:
    """How an AsyncSender posts: the app or transport given, else HTTP1Poster on the network."""
    import httpx

    if app is not None:
        kind = app_kind(app, app_type)
        if kind == "wsgi":
            return HttpxPoster(_make_async_wsgi_transport(app), timeouts, owned=True)  # type: ignore[arg-type]
        return HttpxPoster(_make_async_asgi_transport(app), timeouts, owned=True)  # type: ignore[arg-type]
    if transport is not None:
        if not isinstance(transport, httpx.AsyncBaseTransport):
            raise InvalidOption(
                "transport",
                transport,
                "an httpx.AsyncBaseTransport for AsyncSender (e.g. httpx.MockTransport); "
                "use Sender for a sync transport",
            )
        return HttpxPoster(transport, timeouts, owned=False)
    from .engine import HTTP1Poster

    return HTTP1Poster(ssl_context or resolve_ssl_context(True), timeouts)
