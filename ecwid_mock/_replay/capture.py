"""Capture middleware: wrap the receiver you run in production, keep what Ecwid really sent.

The wrapped app sees the request untouched (the same ASGI messages, or the same WSGI environ
and body bytes). When the app has answered, just before the last part of its answer goes to
the server, the delivery is judged (signature, when the client secret is given; schema),
scrubbed, and only then appended to the cassette: a sender that has its answer finds it there.
A delivery that cannot be scrubbed is not written; its reason is kept in ``refused`` and
logged. Capturing never changes the app's answer and never raises into the server.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from .._errors import EcwidMockError, InvalidEvent
from .._events.signing import SIGNATURE_HEADER, Secret, verify_signature
from .cassette import Cassette, Interaction
from .scrub import Scrubber

__all__ = ["CaptureMiddleware", "WSGICaptureMiddleware"]

_log = logging.getLogger("ecwid_mock.capture")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
App = TypeVar("App")


class _Recorder:
    """Judges, scrubs and writes one delivery: what both middlewares share."""

    def __init__(
        self,
        cassette: Cassette | str | Path,
        scrubber: Scrubber,
        client_secret: str | bytes | Secret | None,
    ) -> None:
        if not isinstance(scrubber, Scrubber):
            raise TypeError("scrubber= must be an ecwid_mock.Scrubber")
        self.cassette = cassette if isinstance(cassette, Cassette) else Cassette(cassette)
        self.scrubber = scrubber
        self._secret = Secret(client_secret) if client_secret else None
        if self._secret is not None:
            scrubber.add_secret(self._secret)
        self.refused: list[str] = []

    def record(self, raw: Interaction) -> None:
        try:
            self.cassette.append(self.scrubber.scrub(self._judged(raw)))
        except EcwidMockError as exc:
            self._refuse(str(exc).splitlines()[0])
        except Exception as exc:  # capturing must never break the app it wraps
            self._refuse(f"{type(exc).__name__} while recording")

    def _refuse(self, reason: str) -> None:
        self.refused.append(reason)
        _log.warning("ecwid-mock capture: delivery not recorded: %s", reason)

    def _judged(self, raw: Interaction) -> Interaction:
        from .._schemas.validate import validate_event

        signature = "not checked"
        if self._secret is not None:
            given = raw.header(SIGNATURE_HEADER)
            if given is None:
                signature = "missing"
            else:
                ok = verify_signature(raw.body, given, self._secret)
                signature = "valid" if ok else "invalid"
        try:
            validate_event(raw.body)
        except InvalidEvent as exc:
            return raw.with_changes(
                signature=signature,
                schema="invalid",
                schema_problems=tuple(p.path for p in exc.problems),
            )
        return raw.with_changes(signature=signature, schema="valid")


class _Capture(Generic[App]):
    """What both middlewares share: the wrapped app, the methods recorded, the recorder."""

    def __init__(
        self,
        app: App,
        cassette: Cassette | str | Path,
        *,
        scrubber: Scrubber,
        client_secret: str | bytes | Secret | None = None,
        methods: Iterable[str] = ("POST",),
    ) -> None:
        self.app = app
        self.methods = frozenset(m.upper() for m in methods)
        self._recorder = _Recorder(cassette, scrubber, client_secret)

    @property
    def cassette(self) -> Cassette:
        return self._recorder.cassette

    @property
    def refused(self) -> list[str]:
        return self._recorder.refused


class CaptureMiddleware(_Capture[ASGIApp]):
    """ASGI middleware that records every HTTP request to ``cassette``, scrubbed by ``scrubber``.

    ``client_secret`` (optional) lets the record say whether the signature was valid; it is
    never written. Only ``methods`` (Ecwid sends POST) are recorded; other requests, such as
    health checks, pass through. ``refused`` lists why deliveries were not recorded.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") not in self.methods:
            await self.app(scope, receive, send)
            return
        received_at = time.time()
        started = time.perf_counter()
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message.get("type") != "http.request" or not message.get("more_body", False):
                break
        pending = list(messages)

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        status: list[int] = []
        recorded: list[bool] = []

        def record() -> None:
            if recorded:
                return
            recorded.append(True)
            body = b"".join(
                bytes(m.get("body", b"")) for m in messages if m.get("type") == "http.request"
            )
            self._recorder.record(
                Interaction(
                    body=body,
                    method=str(scope.get("method", "POST")),
                    path=str(scope.get("path", "/")),
                    query=bytes(scope.get("query_string", b"")).decode("latin-1"),
                    headers=tuple(
                        (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                        for k, v in scope.get("headers", ())
                    ),
                    received_at=received_at,
                    status=status[0] if status else None,
                    elapsed=time.perf_counter() - started,
                )
            )

        async def watch(message: Message) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message["status"]))
            if message.get("type") == "http.response.body" and not message.get("more_body"):
                # Written before the answer is complete: once the sender has its answer, the
                # delivery is in the cassette (about a millisecond, far inside Ecwid's 10 s).
                record()
            await send(message)

        try:
            await self.app(scope, replay, watch)
        finally:
            record()  # an app that failed before answering is recorded too


class WSGICaptureMiddleware(_Capture[WSGIApp]):
    """WSGI middleware that records every request to ``cassette``, scrubbed by ``scrubber``.

    The app gets the same environ with ``wsgi.input`` holding the same body bytes. The record is
    written just before the last chunk of the answer is handed to the server. WSGI keeps no
    header order or spelling, so the recorded headers are rebuilt from the environ (lower-case).
    """

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if str(environ.get("REQUEST_METHOD", "")).upper() not in self.methods:
            return self.app(environ, start_response)
        received_at = time.time()
        started = time.perf_counter()
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[int] = []

        def watch(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(int(status_line.split(" ", 1)[0]))
            return start_response(status_line, headers, exc_info)

        def finish() -> None:
            self._recorder.record(
                Interaction(
                    body=body,
                    method=str(environ.get("REQUEST_METHOD", "POST")),
                    path=str(environ.get("PATH_INFO", "/")) or "/",
                    query=str(environ.get("QUERY_STRING", "")),
                    headers=_environ_headers(environ),
                    received_at=received_at,
                    status=status[-1] if status else None,
                    elapsed=time.perf_counter() - started,
                )
            )

        try:
            result = self.app(environ, watch)
        except BaseException:
            finish()
            raise
        return _Closing(result, finish)


class _Closing:
    """The app's response iterable; records the delivery before its last chunk is handed over.

    One chunk is held back while the next is fetched, so the record is written before the
    server has the whole answer (as in the ASGI middleware). ``close()`` records a response
    that was not iterated to its end; it never records twice.
    """

    def __init__(self, result: Iterable[bytes], record: Callable[[], None]) -> None:
        self._result = result
        self._record = record
        self._recorded = False
        self._closed = False

    def _finish(self) -> None:
        if not self._recorded:
            self._recorded = True
            self._record()

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._result)
        held: bytes | None = None
        for chunk in chunks:
            if held is not None:
                yield held
            held = chunk
        self._finish()
        if held is not None:
            yield held

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.strip().isdigit():
        return bytes(stream.read(int(length)))
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read())
    return b""


def _environ_headers(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.lower().replace("_", "-"), str(environ[key])))
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].lower().replace("_", "-"), str(value)))
    return tuple(headers)
