"""A small HTTP/1.1 client on asyncio protocols: the network engine of AsyncSender.

It does only what Ecwid does: POST a body with fixed headers over keep-alive connections,
follow nothing, keep no cookies, and read the answer (Content-Length, chunked, or up to
the close). That narrow job lets it post several times faster than a general client (see
benchmarks/bench_sender.py); requests and verdicts match the httpx path (tests check it).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import defaultdict
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .inprocess import Answer, Timeouts, Wire

__all__ = ["HTTP1Poster"]

_BODY_KEEP = 64 * 1024
_MAX_HEAD = 64 * 1024


class _ProtocolError(Exception):
    """The receiver's answer is not valid HTTP/1.1."""


class _Closed(Exception):
    """The connection ended before a complete answer."""

    def __init__(self, cause: BaseException | None, *, got_bytes: bool) -> None:
        super().__init__(str(cause) if cause else "connection closed")
        self.cause = cause
        self.got_bytes = got_bytes


class _Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class _Connection(asyncio.Protocol):
    """One keep-alive connection; parses one response at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = True
        self._waiter: asyncio.Future[_Response] | None = None
        self._buffer = bytearray()
        self._state = "idle"
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._body = bytearray()
        self._remaining = 0  # bytes of body (or of the current chunk) still to come
        self._mode = ""  # "length", "chunked" or "close"
        self._got_bytes = False

    # -- asyncio callbacks -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            self.reusable = False  # bytes nobody asked for: do not trust this connection
            return
        self._got_bytes = True
        self._buffer += data
        try:
            self._parse()
        except _ProtocolError as exc:
            self.reusable = False
            self._waiter.set_exception(exc)

    def eof_received(self) -> bool:
        self.reusable = False
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self._state == "body" and self._mode == "close" and exc is None:
                waiter.set_result(self._finish())
            else:
                waiter.set_exception(_Closed(exc, got_bytes=self._got_bytes))

    # -- requests ----------------------------------------------------------------------

    def request(self, data: bytes) -> asyncio.Future[_Response]:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        self._buffer.clear()
        self._state = "head"
        self._got_bytes = False
        self.transport.write(data)
        return self._waiter

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None and not self.closed:
            self.transport.abort()

    # -- parsing -----------------------------------------------------------------------

    def _parse(self) -> None:
        while True:
            if self._state == "head":
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > _MAX_HEAD:
                        raise _ProtocolError("response head too large")
                    return
                head = bytes(self._buffer[:end])
                del self._buffer[: end + 4]
                self._start(head)
                if self._state == "head":  # a 1xx interim answer: the real one follows
                    continue
            if self._state == "body":
                if not self._read_body():
                    return
                assert self._waiter is not None
                self._waiter.set_result(self._finish())
                return
            return

    def _start(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise _ProtocolError(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
        status = int(parts[1])
        if 100 <= status < 200 and status != 101:
            return  # skip interim answers such as 100 Continue
        headers: list[tuple[str, str]] = []
        length: int | None = None
        chunked = False
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise _ProtocolError(f"bad header line {line[:80]!r}")
            key = name.decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers.append((key, text))
            if key == "content-length":
                if not text.isdigit() or (length is not None and int(text) != length):
                    raise _ProtocolError(f"bad Content-Length {text!r}")
                length = int(text)
            elif key == "transfer-encoding":
                chunked = text.lower().endswith("chunked")
            elif key == "connection" and "close" in text.lower():
                self.reusable = False
        if parts[0] == b"HTTP/1.0":
            self.reusable = False
        self._status, self._headers = status, headers
        self._body = bytearray()
        self._state = "body"
        if status in (204, 304):
            self._mode, self._remaining = "length", 0
        elif chunked:
            self._mode, self._remaining = "chunked", -1
        elif length is not None:
            self._mode, self._remaining = "length", length
        else:
            self._mode, self.reusable = "close", False

    def _keep(self, data: bytes | bytearray) -> None:
        room = _BODY_KEEP - len(self._body)
        if room > 0:
            self._body += data[:room]

    def _read_body(self) -> bool:
        """Consume body bytes; True once the body is complete."""
        if self._mode == "length":
            take = min(self._remaining, len(self._buffer))
            self._keep(self._buffer[:take])
            del self._buffer[:take]
            self._remaining -= take
            return self._remaining == 0
        if self._mode == "close":
            self._keep(self._buffer)
            self._buffer.clear()
            return False
        while True:  # chunked
            if self._remaining < 0:  # expecting a chunk-size line
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    return False
                size_text = bytes(self._buffer[:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise _ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
                del self._buffer[: end + 2]
                if size == 0:
                    trailer_end = self._buffer.find(b"\r\n\r\n")
                    if self._buffer[:2] == b"\r\n":
                        del self._buffer[:2]
                        return True
                    if trailer_end < 0:
                        self._buffer[0:0] = b"0\r\n"  # wait for the trailers to arrive
                        return False
                    del self._buffer[: trailer_end + 4]
                    return True
                self._remaining = size + 2  # the chunk and its CRLF
            take = min(self._remaining, len(self._buffer))
            self._keep(self._buffer[: max(0, min(take, self._remaining - 2))])
            del self._buffer[:take]
            self._remaining -= take
            if self._remaining > 0:
                return False
            self._remaining = -1

    def _finish(self) -> _Response:
        self._state = "idle"
        self._waiter = None
        return _Response(self._status, self._headers, bytes(self._body))


async def _within(future: asyncio.Future[_Response], seconds: float) -> _Response:
    """``future``'s result, or TimeoutError after ``seconds`` (lighter than wait_for)."""
    loop = asyncio.get_running_loop()
    timer = loop.call_later(seconds, _expire, future)
    try:
        return await future
    finally:
        timer.cancel()


def _expire(future: asyncio.Future[_Response]) -> None:
    if not future.done():
        future.set_exception(asyncio.TimeoutError())


class HTTP1Poster:
    """POSTs Wires over pooled keep-alive HTTP/1.1 connections (TLS verified)."""

    def __init__(self, ssl_context: ssl.SSLContext, timeouts: Timeouts) -> None:
        self._ssl_context = ssl_context
        self._timeouts = timeouts
        self._idle: defaultdict[tuple[str, str, int], list[_Connection]] = defaultdict(list)
        self._heads: dict[str, tuple[tuple[str, str, int], bytes]] = {}
        self._open: set[_Connection] = set()

    def _target(self, url: str) -> tuple[tuple[str, str, int], bytes]:
        cached = self._heads.get(url)
        if cached is None:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            host = parts.hostname or ""
            port = parts.port or (443 if scheme == "https" else 80)
            path = parts.path or "/"
            target = path + (f"?{parts.query}" if parts.query else "")
            netloc = parts.netloc.rpartition("@")[2]
            default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
            host_header = netloc.rsplit(":", 1)[0] if default and ":" in netloc else netloc
            if default and netloc.startswith("[") and netloc.endswith("]"):
                host_header = netloc
            line = f"POST {target} HTTP/1.1\r\nHost: {host_header}\r\n".encode("latin-1")
            cached = self._heads[url] = ((scheme, host, port), line)
        return cached

    async def _connect(self, key: tuple[str, str, int]) -> _Connection:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        tls = scheme == "https"
        _, protocol = await asyncio.wait_for(
            loop.create_connection(
                _Connection,
                host,
                port,
                ssl=self._ssl_context if tls else None,
                server_hostname=host if tls else None,
                ssl_handshake_timeout=self._timeouts.connect if tls else None,
            ),
            self._timeouts.connect,
        )
        sock = protocol.transport.get_extra_info("socket") if protocol.transport else None
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._open.add(protocol)
        return protocol

    async def post(self, wire: Wire) -> Answer:
        from .inprocess import Answer, make_answer

        key, head = self._target(wire.url)
        lines = "".join(f"{name}: {value}\r\n" for name, value in wire.lines)
        data = b"".join(
            (
                head,
                lines.encode("latin-1"),
                b"Content-Length: %d\r\n\r\n" % len(wire.body),
                wire.body,
            )
        )
        idle = self._idle[key]
        connection = None
        while idle:
            candidate = idle.pop()
            if candidate.reusable and not candidate.closed:
                connection = candidate
                break
            self._forget(candidate)
        try:
            if connection is None:
                connection = await self._connect(key)
            response = await _within(connection.request(data), self._timeouts.response)
        except Exception as exc:
            if connection is not None:
                connection.close()
                self._forget(connection)
            kind, reason = self._classify(exc, connected=connection is not None)
            return Answer(error=kind, reason=reason)
        if connection.reusable and not connection.closed:
            idle.append(connection)
        else:
            connection.close()
            self._forget(connection)
        location = next((v for k, v in response.headers if k == "location"), None)
        return make_answer(response.status, tuple(response.headers), location, response.body)

    def _forget(self, connection: _Connection) -> None:
        self._open.discard(connection)

    def _classify(self, exc: BaseException, *, connected: bool) -> tuple[str, str]:
        timeouts = self._timeouts
        if isinstance(exc, asyncio.TimeoutError):
            if connected:
                return "timeout", f"no response within {timeouts.response:g} s"
            return "connect-timeout", f"no connection within {timeouts.connect:g} s"
        if isinstance(exc, ssl.SSLError):
            detail = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc
            return "tls", f"TLS failure: {detail} (Ecwid needs a certificate from a trusted CA)"
        if isinstance(exc, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(exc, _Closed):
            if isinstance(exc.cause, ssl.SSLError):
                return self._classify(exc.cause, connected=True)
            if isinstance(exc.cause, (ConnectionResetError, BrokenPipeError)):
                return "reset", "connection reset by the receiver"
            if exc.got_bytes:
                return (
                    "protocol",
                    "protocol error: the connection closed in the middle of the answer",
                )
            return "reset", "connection closed or reset by the receiver before it answered"
        if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
            return "reset", "connection reset by the receiver"
        if isinstance(exc, _ProtocolError):
            return "protocol", f"protocol error: {exc}"
        if isinstance(exc, OSError):
            return "connect", f"connection failed: {exc}"
        return "protocol", f"transport error {type(exc).__name__}: {exc}"

    async def aclose(self) -> None:
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing
