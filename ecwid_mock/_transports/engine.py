"""The one network engine: webhook POSTs over pooled keep-alive HTTP/1.1 connections.

Every network path uses it (``Sender``, ``AsyncSender``, bulk runs, the CLI, the plugin's
``https`` and ``live`` transports, the conformance suite), so the same bytes get the same
verdict on each. llhttp (through httptools, as uvicorn uses it) parses the answer. What this
module adds is what a webhook client needs and a parser does not do:

- Ecwid's limits: 3 s to connect, name resolution and TLS included, and 10 s for the whole
  answer, head and body (one timer, not one per read);
- a fixed cap on the answer's head, however it is split across reads;
- what RFC 9112 lets a recipient accept and llhttp refuses: bare LF line ends, obs-fold
  (replaced by a space, as a user agent must) and repeated equal Content-Length values;
- a body read to the close when the answer has no length (RFC 9112 §6.3);
- an answer whose bytes came before, whole in one read from a fresh state, is the same
  answer again: it is taken from a small memo of what llhttp made of those bytes;
- pooled connections checked before reuse (expiry, and whether the receiver already closed
  or wrote, as httpcore's ``has_expired()`` checks), and a request sent again on a fresh
  connection when a reused one closes before any byte of the answer: the receiver never
  saw it, so it is not an attempt;
- one error table (:mod:`.errors`) for every failure.
"""

from __future__ import annotations

import asyncio
import re
import select
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import httptools

from .errors import EngineError, classify
from .wire import BODY_KEEP, Answer, Timeouts, Wire

__all__ = ["MAX_HEAD", "NetworkEngine", "Resolver"]

#: The largest answer head accepted (status line and headers).
MAX_HEAD = 64 * 1024
#: How long an idle keep-alive connection is reused (uvicorn closes idle ones after 5 s).
KEEPALIVE_EXPIRY = 4.0

#: Idle this long, a pooled connection is checked for a close or stray bytes before reuse;
#: sooner, the resend on a fresh connection covers a close that raced the request.
_PEEK_AFTER = 0.001

#: The headers that say where an answer ends and how long its connection may idle.
_FRAMING = (b"content-length", b"transfer-encoding", b"keep-alive")
_FRAMING_LENGTHS = frozenset(len(name) for name in _FRAMING)

#: Answers remembered per engine (bytes read -> what parsing them made), and the longest
#: read remembered: a receiver's answers repeat, byte for byte, within each second.
_MEMO_SIZE = 64
_MEMO_BYTES = 2048

_HEAD_END = re.compile(rb"\n\r?\n")
_LINE_END = re.compile(rb"\r?\n")
_KEEP_ALIVE_TIMEOUT = re.compile(rb"timeout\s*=\s*(\d+)")

Resolver = Callable[[str, int], Awaitable[list[tuple[int, Any]]]]
"""Resolves (host, port) to [(address family, socket address), ...]."""

Key = tuple[str, str, int]

#: An answer parsed once: the answer, whether it lets the connection be kept, and the idle
#: limit its Keep-Alive header set (``None``: none given).
Parsed = tuple[Answer, bool, float | None]


def _normalise_head(head: bytes) -> bytes:
    """The head (without its blank line) as llhttp reads it, for the forms RFC 9112 allows.

    Bare LF line ends become CRLF, obs-fold continuation lines are joined with one space,
    and a Content-Length repeated with one value (``2, 2`` or two equal lines) becomes one.
    Anything else is left for llhttp to judge.
    """
    lower = head.lower()
    bare_lf = head.count(b"\n") != head.count(b"\r\n")
    folded = b"\n " in head or b"\n\t" in head
    lengths = lower.count(b"content-length")
    if not (bare_lf or folded or lengths > 1 or (lengths == 1 and _length_is_list(lower))):
        return head
    lines: list[bytes] = []
    for line in _LINE_END.split(head):
        if lines and line[:1] in (b" ", b"\t"):
            lines[-1] = lines[-1].rstrip() + b" " + line.strip()
        else:
            lines.append(line)
    values: set[bytes] = set()
    kept: list[bytes] = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if sep and name.lower() == b"content-length":
            values.update(v.strip() for v in value.split(b","))
            continue
        kept.append(line)
    if values:
        if len(values) == 1:
            kept.append(b"Content-Length: " + values.pop())
        else:  # different lengths: let the parser refuse them
            kept.extend(line for line in lines if line.lower().startswith(b"content-length"))
    return b"\r\n".join(kept)


def _length_is_list(lower: bytes) -> bool:
    start = lower.find(b"content-length")
    end = lower.find(b"\n", start)
    return b"," in lower[start : end if end >= 0 else len(lower)]


class _Connection(asyncio.Protocol):
    """One keep-alive connection; reads one answer at a time with a fresh llhttp parser.

    ``memo`` (shared by the engine's connections) maps a read that held one whole answer,
    parsed from a fresh state, to what the parse made of it. Parsing is a function of the
    bytes alone, so the same bytes again give the same answer without parsing them again.
    """

    def __init__(self, memo: dict[bytes, Parsed]) -> None:
        self.loop = asyncio.get_running_loop()  # asked once: each ask reads the process id
        self._memo = memo
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = True
        self.idle_since = 0.0
        self.expires_after = KEEPALIVE_EXPIRY
        self.got_bytes = False
        self._waiter: asyncio.Future[Answer] | None = None
        self._response_timeout = 0.0
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._messages = 0  # answers begun in the current read (llhttp's message_begin)
        self._parsed: Parsed | None = None  # the last answer parsed, for the memo
        self._start()

    def _start(self) -> None:
        self._buffer = bytearray()
        self._parser: Any = None
        self._head_done = False
        self._status = 0
        self._version = "1.1"
        self._phrase = b""
        self._headers: list[tuple[str, str]] = []
        self._framing: dict[bytes, str] = {}  # the last value of the headers that frame it
        self._framed = True  # the answer says where it ends (length, chunked, or no body)
        self._body = bytearray()
        self._truncated = False
        self._complete = False
        self._keep_alive = True
        self._expiry: float | None = None

    # -- asyncio callbacks -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            self.reusable = False  # bytes nobody asked for: do not trust this connection
            return
        self.got_bytes = True
        fresh = not self._head_done and not self._buffer
        if fresh:
            parsed = self._memo.get(data)
            if parsed is not None:
                self._waiter = None
                self._answer(waiter, parsed)
                return
        self._messages = 0
        try:
            self._feed(data)
        except EngineError as exc:
            self._fail(exc.kind, exc.detail)
            return
        except Exception as exc:  # llhttp's HttpParserError and its subclasses
            self._fail("protocol", f"protocol error: {exc}")
            return
        if fresh and self._messages == 1 and waiter.done() and len(data) <= _MEMO_BYTES:
            # exactly one answer, begun and finished in this read, nothing after it
            assert self._parsed is not None
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[data] = self._parsed

    def _answer(self, waiter: asyncio.Future[Answer], parsed: Parsed) -> None:
        """Hand the answer over, first doing what its head says about this connection."""
        answer, keep_alive, expiry = parsed
        if not keep_alive:
            self.reusable = False
        if expiry is not None:
            self.expires_after = expiry
        waiter.set_result(answer)

    def eof_received(self) -> bool:
        self.reusable = False
        return False  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self._head_done and not self._framed and exc is None:
            self._finish()  # a body delimited by the close (RFC 9112 §6.3 rule 8)
        elif isinstance(exc, (ConnectionResetError, BrokenPipeError)):
            where = " in mid-answer" if self.got_bytes else ""
            self._fail("reset", f"connection reset by the receiver{where}")
        elif not self.got_bytes:
            self._fail("reset", "connection closed by the receiver before it answered")
        else:
            self._fail(
                "protocol", "protocol error: the connection closed in the middle of the answer"
            )

    # -- llhttp callbacks --------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._messages += 1

    def on_status(self, phrase: bytes) -> None:
        self._phrase += phrase

    def on_header(self, name: bytes, value: bytes) -> None:
        text = value.decode("latin-1")
        self._headers.append((name.decode("latin-1"), text))
        if len(name) in _FRAMING_LENGTHS:  # only these can be one of _FRAMING
            self._framing[name.lower()] = text

    def on_headers_complete(self) -> None:
        parser = self._parser
        self._status = parser.get_status_code()
        self._version = parser.get_http_version()
        self._keep_alive = parser.should_keep_alive()  # read here: llhttp resets it later
        framing = self._framing
        coding = framing.get(b"transfer-encoding", "").rsplit(",", 1)[-1].strip().lower()
        self._framed = (
            b"content-length" in framing
            or coding == "chunked"
            or self._status in (204, 304)
            or 100 <= self._status < 200
        )
        keep_alive = framing.get(b"keep-alive")
        if keep_alive:
            match = _KEEP_ALIVE_TIMEOUT.search(keep_alive.encode("latin-1").lower())
            if match:
                self._expiry = min(KEEPALIVE_EXPIRY, max(0.0, int(match[1]) - 1.0))

    def on_body(self, body: bytes) -> None:
        room = BODY_KEEP - len(self._body)
        if room >= len(body):
            self._body += body
        else:
            if room > 0:
                self._body += body[:room]
            self._truncated = True

    def on_message_complete(self) -> None:
        self._complete = True

    # -- parsing -----------------------------------------------------------------------

    def _feed(self, data: bytes) -> None:
        if self._head_done:
            self._parser.feed_data(data)
        else:
            if self._buffer:  # the head came in pieces (in one piece, it is never copied)
                self._buffer += data
                data = bytes(self._buffer)
                self._buffer.clear()
            match = _HEAD_END.search(data)
            if match is None:
                if len(data) > MAX_HEAD:
                    raise EngineError("protocol", "protocol error: answer head over 64 KiB")
                self._buffer += data
                return
            if match.start() > MAX_HEAD:
                raise EngineError("protocol", "protocol error: answer head over 64 KiB")
            end = match.start()
            if end and data[end - 1] == 13:  # the CR of the last header line's CRLF
                end -= 1
            head = _normalise_head(data[:end])
            rest = data[match.end() :]
            self._head_done = True
            self._parser = httptools.HttpResponseParser(self)
            self._parser.feed_data(head + b"\r\n\r\n")
            if self._complete and 100 <= self._status < 200 and self._status != 101:
                self._start()  # an interim answer (100 Continue...): the real one follows
                if rest:
                    self._feed(rest)
                return
            if rest:
                self._parser.feed_data(rest)
        if self._complete:
            self._finish()

    def _finish(self) -> None:
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            answer = Answer(
                status_code=self._status,
                reason_phrase=self._phrase.decode("latin-1"),
                http_version=f"HTTP/{self._version}",
                headers=tuple(self._headers),
                body=bytes(self._body),
                body_truncated=self._truncated,
            )
            self._parsed = (answer, self._keep_alive, self._expiry)
            self._answer(waiter, self._parsed)
        self._start()

    def _fail(self, kind: str, detail: str) -> None:
        self.reusable = False
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(Answer.failure(kind, detail))
        self.abort()

    # -- requests ----------------------------------------------------------------------

    def request(self, data: bytes, timeout: float) -> asyncio.Future[Answer]:
        """Send ``data``; the future holds the answer, or the failure, within ``timeout``."""
        assert self.transport is not None
        self._waiter = waiter = self.loop.create_future()  # the state is fresh (_finish)
        self.got_bytes = False
        self._response_timeout = timeout
        self._deadline = self.loop.time() + timeout
        if self._timer is None:
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)
        self.transport.write(data)
        return waiter

    def _check_deadline(self) -> None:
        """The timer is due: fail an answer past its limit, or wait for the current one's.

        One timer per connection, not one per request: it is armed at the first request and,
        when it fires, re-armed for the request then in flight (deadlines only move later).
        An idle connection's timer is not re-armed; its next request arms one.
        """
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done() or self.closed:
            return
        if self.loop.time() >= self._deadline:
            self._fail("timeout", f"no complete answer within {self._response_timeout:g} s")
        else:
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)

    def usable(self, now: float) -> bool:
        """Whether this idle connection may carry another request (httpcore's has_expired)."""
        transport = self.transport
        if not self.reusable or self.closed or transport is None or transport.is_closing():
            return False
        idle = now - self.idle_since
        if idle > self.expires_after:
            return False
        sock = transport.get_extra_info("socket") if idle > _PEEK_AFTER else None
        if sock is not None:
            try:
                readable, _, _ = select.select([sock.fileno()], [], [], 0)
            except (OSError, ValueError):
                return False
            if readable:  # the receiver closed it or wrote something unasked
                return False
        return True

    def abort(self) -> None:
        self.reusable = False
        if self.transport is not None and not self.closed:
            self.transport.abort()


class NetworkEngine:
    """POSTs :class:`Wire` requests over verified TLS (or plain HTTP where allowed)."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        timeouts: Timeouts,
        *,
        resolver: Resolver | None = None,
    ) -> None:
        self._ssl_context = ssl_context
        self._timeouts = timeouts
        self._resolver = resolver
        self._idle: defaultdict[Key, list[_Connection]] = defaultdict(list)
        self._open: set[_Connection] = set()
        self._answers: dict[bytes, Parsed] = {}

    async def post(self, wire: Wire) -> Answer:
        """POST once; every failure comes back as an :class:`Answer`, never raised."""
        target = wire.target
        key = (target.scheme, target.host, target.port)
        connection = self._checkout(key)
        reused = connection is not None
        for _ in range(2):
            if connection is None:
                try:
                    connection = await self._connect(key)
                except EngineError as exc:
                    return Answer.failure(exc.kind, exc.detail)
            # one limit for the whole answer, kept by the connection's timer
            answer = await connection.request(wire.data, self._timeouts.response)
            if reused and answer.error == "reset" and not connection.got_bytes:
                # The receiver had closed this idle connection: it never saw the request.
                self._forget(connection)
                connection, reused = None, False
                continue
            break
        assert connection is not None
        self._checkin(key, connection)
        return answer

    # -- the pool ----------------------------------------------------------------------

    def _checkout(self, key: Key) -> _Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now):
                return connection
            connection.abort()
            self._forget(connection)
        return None

    def _checkin(self, key: Key, connection: _Connection) -> None:
        if connection.reusable and not connection.closed:
            connection.idle_since = time.monotonic()
            self._idle[key].append(connection)
        else:
            connection.abort()
            self._forget(connection)

    def _forget(self, connection: _Connection) -> None:
        self._open.discard(connection)

    # -- connecting ---------------------------------------------------------------------

    async def _connect(self, key: Key) -> _Connection:
        scheme, host, port = key
        timeouts = self._timeouts
        deadline = time.monotonic() + timeouts.connect
        try:
            addresses = await asyncio.wait_for(self._resolve(host, port), timeouts.connect)
        except Exception as exc:
            raise self._error(exc, "resolve") from None
        if not addresses:
            raise EngineError("dns", f"the host name {host!r} resolved to no address")
        loop = asyncio.get_running_loop()
        tls = scheme == "https"
        last: BaseException | None = None
        for family, address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                last = TimeoutError()
                break
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
            except OSError as exc:
                last = exc
                continue
            try:
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                await asyncio.wait_for(loop.sock_connect(sock, address), remaining)
                _, protocol = await asyncio.wait_for(
                    loop.create_connection(
                        lambda: _Connection(self._answers),
                        sock=sock,
                        ssl=self._ssl_context if tls else None,
                        server_hostname=host if tls else None,
                        ssl_handshake_timeout=max(remaining, 0.001) if tls else None,
                    ),
                    max(deadline - time.monotonic(), 0.001),
                )
            except Exception as exc:
                sock.close()
                last = exc
                if isinstance(exc, (ssl.SSLError, asyncio.TimeoutError, TimeoutError)):
                    break  # a certificate or the time limit: another address will not help
                continue
            self._open.add(protocol)
            return protocol
        assert last is not None
        raise self._error(last, "connect")

    async def _resolve(self, host: str, port: int) -> list[tuple[int, Any]]:
        if self._resolver is not None:
            return await self._resolver(host, port)
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return [(family, address) for family, _, _, _, address in infos]

    def _error(self, exc: BaseException, phase: Any) -> EngineError:
        kind, detail = classify(
            exc,
            phase,
            connect_timeout=self._timeouts.connect,
            response_timeout=self._timeouts.response,
        )
        return EngineError(kind, detail)

    async def aclose(self) -> None:
        for connection in list(self._open):
            connection.abort()
        self._open.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing
