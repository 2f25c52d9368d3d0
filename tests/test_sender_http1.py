"""AsyncSender's own HTTP/1.1 engine against scripted raw servers: framing, reuse, faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import pytest

from ecwid_mock import AsyncSender, Event, Outcome
from ecwid_mock._events.signing import sign
from ecwid_mock._schemas.catalog import schema_for
from ecwid_mock._transports.wire import Timeouts

SECRET = "http1-test-client-secret"

Script = Callable[[int], Sequence[bytes | None]]  # request number -> pieces to write; None: close


def make_event(number: int = 0) -> Event:
    payload = {**schema_for("order.created")["examples"][0], "eventId": f"http1-{number}"}
    return Event.from_payload(
        payload, signature=sign(payload["eventCreated"], payload["eventId"], SECRET)
    )


@asynccontextmanager
async def scripted_server(script: Script) -> AsyncIterator[tuple[str, list[bytes], list[int]]]:
    """A plain-HTTP server answering request n with ``script(n)``; yields URL, requests, conns."""
    requests: list[bytes] = []
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(len(requests))
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                requests.append(head + body)
                for piece in script(len(requests)):
                    if piece is None:
                        writer.close()
                        return
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.001)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/hook", requests, connections


def sender(url: str, **options: object) -> AsyncSender:
    return AsyncSender(url, insecure_http_not_ecwid=True, **options)  # type: ignore[arg-type]


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.asyncio
async def test_keep_alive_reuses_one_connection_and_sends_ecwids_request() -> None:
    async with (
        scripted_server(lambda n: [OK]) as (url, requests, connections),
        sender(url, custom_headers={"X-App": "1"}) as s,
    ):
        deliveries = [await s.send(make_event(i)) for i in range(3)]
    assert all(d.delivered for d in deliveries)
    assert len(connections) == 1
    head, _, body = requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /hook?eventtype=order.created HTTP/1.1"
    assert lines[1].startswith(b"Host: 127.0.0.1:")
    assert b"Content-Type: application/json; charset=UTF-8" in lines
    assert b"Cache-Control: no-cache" in lines
    assert b"X-App: 1" in lines
    assert lines[-1] == f"Content-Length: {len(body)}".encode()
    assert body == make_event(0).body


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("pieces", "status", "excerpt"),
    [
        pytest.param(
            [b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n",
             b"3\r\nabc\r\n", b"4;ext=1\r\ndefg\r\n", b"0\r\n\r\n"],
            201, "abcdefg", id="chunked-in-pieces",
        ),
        pytest.param(
            [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n"],
            200, "hi", id="chunked-with-trailer",
        ),
        pytest.param(
            [b"HTTP/1.1 100 Continue\r\n\r\n",
             b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"],
            202, "", id="interim-100",
        ),
        pytest.param([b"HTTP/1.1 204 No Content\r\n\r\n"], 204, "", id="204-no-body"),
        pytest.param(
            [b"HTTP/1.0 200 OK\r\n\r\nbody until close", None], 200, "body until close",
            id="close-delimited",
        ),
        pytest.param(
            [b"HTTP/1.1 2", b"09 Whatever\r\nContent-", b"Length: 5\r\n\r\nhel", b"lo"],
            209, "hello", id="split-everywhere",
        ),
    ],
)  # fmt: skip
async def test_response_framing(pieces: list[bytes | None], status: int, excerpt: str) -> None:
    async with (
        scripted_server(lambda n: pieces) as (url, _, _conns),
        sender(url) as s,
    ):
        delivery = await s.send(make_event())
    assert delivery.status_code == status
    assert delivery.attempts[0].body_excerpt == excerpt
    assert delivery.delivered


@pytest.mark.asyncio
async def test_connection_close_is_honoured() -> None:
    answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    async with (
        scripted_server(lambda n: [answer, None]) as (url, _, connections),
        sender(url) as s,
    ):
        for i in range(3):
            (await s.send(make_event(i))).assert_delivered()
    assert len(connections) == 3


@pytest.mark.asyncio
async def test_an_idle_connection_closed_by_the_server_is_not_reused() -> None:
    async with (
        scripted_server(lambda n: [OK, None]) as (url, _, connections),
        sender(url) as s,
    ):
        first = await s.send(make_event(1))
        second = await s.send(make_event(2))  # whenever the server's close arrives
    assert first.delivered
    assert second.delivered
    assert len(connections) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("pieces", "kind"),
    [
        pytest.param([None], "reset", id="closed-before-answer"),
        pytest.param([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", None], "protocol",
                     id="closed-mid-body"),
        pytest.param([b"SMTP ready\r\n\r\n"], "protocol", id="not-http"),
        pytest.param([b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"], "protocol",
                     id="bad-length"),
        pytest.param([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], "protocol",
                     id="bad-chunk"),
        pytest.param([b"HTTP/1.1 200 OK\r\n"], "timeout", id="head-never-ends"),
    ],
)  # fmt: skip
async def test_broken_answers_are_failed_attempts(pieces: list[bytes | None], kind: str) -> None:
    async with (
        scripted_server(lambda n: pieces) as (url, _, _conns),
        sender(url, timeouts=Timeouts(connect=1, response=0.3)) as s,
    ):
        delivery = await s.send(make_event())
    assert delivery.attempts[0].error == kind
    assert delivery.outcome is Outcome.RETRYING


@pytest.mark.asyncio
async def test_a_large_body_is_read_but_only_an_excerpt_kept() -> None:
    big = b"x" * 200_000
    answer = b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big)
    async with (
        scripted_server(lambda n: [answer]) as (url, _, connections),
        sender(url) as s,
    ):
        first = await s.send(make_event(1))
        second = await s.send(make_event(2))
    assert first.attempts[0].body_excerpt.endswith("…")
    assert len(first.attempts[0].body_excerpt) <= 301
    assert second.status_code == 500
    assert len(connections) == 1  # the whole body was consumed, the connection reused


def test_ipv6_loopback_and_default_port_host_header() -> None:
    from ecwid_mock._transports.wire import parse_target

    ipv6 = parse_target("https://[::1]:443/a?b=c")
    assert (ipv6.host, ipv6.port, ipv6.host_header, ipv6.request_target) == (
        "::1",
        443,
        "[::1]",
        "/a?b=c",
    )
    assert parse_target("https://example.com/").host_header == "example.com"
    other = parse_target("https://example.com:8443")
    assert (other.scheme, other.host, other.port, other.request_target) == (
        "https",
        "example.com",
        8443,
        "/",
    )


def test_targets_are_percent_encoded_and_hosts_idna_encoded_as_httpx_does() -> None:
    import httpx

    from ecwid_mock._transports.wire import parse_target

    url = "https://b\u00fccher.example:8443/hook/\u00e9t\u00e9?q=\u00e9 x"
    target = parse_target(url)
    sent = httpx.Request("POST", url)
    assert target.host_header == sent.headers["host"] == "xn--bcher-kva.example:8443"
    assert target.request_target == sent.url.raw_path.decode() == "/hook/%C3%A9t%C3%A9?q=%C3%A9%20x"
