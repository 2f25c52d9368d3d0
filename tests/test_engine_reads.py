"""One engine connection driven read by read, as the event loop drives it.

Answers read before come from a memo: a receiver's answers repeat byte for byte, so the
engine remembers what llhttp made of a read that held one whole answer from a fresh state.
These tests pin that a remembered answer is exactly the parsed one, with the same effect on
its connection, and that nothing else is remembered: answers split over reads, reads holding
more than one answer, failures and long reads. And the response limit, kept by one timer
per connection, runs from each request, not from the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from ecwid_mock._transports import engine
from ecwid_mock._transports.engine import Parsed, _Connection
from ecwid_mock._transports.wire import Answer

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CLOSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
KEEP_3 = b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=3\r\nContent-Length: 0\r\n\r\n"


class _Transport:
    """Just enough of an asyncio transport for a connection to write and abort."""

    def __init__(self) -> None:
        self.aborted = False

    def write(self, data: bytes) -> None:
        pass

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted

    def get_extra_info(self, name: str) -> Any:
        return None


def answer_to(reads: Sequence[bytes], memo: dict[bytes, Parsed]) -> tuple[Answer, _Connection]:
    """The answer a fresh connection sharing ``memo`` makes of ``reads``, and the connection."""

    async def go() -> tuple[Answer, _Connection]:
        connection = _Connection(memo)
        connection.connection_made(_Transport())  # type: ignore[arg-type]
        waiter = connection.request(b"POST / HTTP/1.1\r\n\r\n", 10.0)
        for read in reads:
            connection.data_received(read)
        assert waiter.done(), "the reads did not finish the answer"
        return waiter.result(), connection

    return asyncio.run(go())


@pytest.mark.parametrize(
    "raw",
    [
        OK,
        b"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\noops",
        b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",  # bare LF, normalised on the first read
        b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\nok",  # obs-fold
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.0 204 No Content\r\n\r\n",
    ],
    ids=["200", "500", "301", "bare-lf", "obs-fold", "chunked", "http-1.0-204"],
)
def test_the_same_bytes_again_give_the_very_answer_parsing_gave(raw: bytes) -> None:
    memo: dict[bytes, Parsed] = {}
    parsed, _ = answer_to([raw], memo)
    assert list(memo) == [raw]
    again, _ = answer_to([raw], memo)
    assert again is parsed
    fresh, _ = answer_to([raw], {})  # parsed again without the memo: equal in every field
    assert fresh == parsed
    assert fresh is not parsed


@pytest.mark.parametrize(
    ("raw", "reusable", "expires_after"),
    [
        (OK, True, engine.KEEPALIVE_EXPIRY),
        (CLOSE, False, engine.KEEPALIVE_EXPIRY),
        (KEEP_3, True, 2.0),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", False, engine.KEEPALIVE_EXPIRY),
    ],
    ids=["keep-alive", "connection-close", "keep-alive-timeout", "http-1.0"],
)
def test_a_remembered_answer_does_to_its_connection_what_the_parsed_one_did(
    raw: bytes, reusable: bool, expires_after: float
) -> None:
    memo: dict[bytes, Parsed] = {}
    for _ in range(2):  # parsed, then remembered
        _, connection = answer_to([raw], memo)
        assert (connection.reusable, connection.expires_after) == (reusable, expires_after)
    assert raw in memo


@pytest.mark.parametrize(
    "reads",
    [
        [OK[:20], OK[20:]],  # the head in two reads
        [OK[:-1], OK[-1:]],  # the body's last byte later
        [b"HTTP/1.1 100 Continue\r\n\r\n" + OK],  # an interim answer, then the answer
        [OK + b"HTTP/1.1 200 OK\r\n"],  # bytes after the answer: a second one begun
        [b"HTTP/1.1 0200 OK\r\nContent-Length: 2\r\n\r\nok"],  # llhttp refuses it
        [b"HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"],  # lengths that disagree
        [b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 3000 + b"\r\nContent-Length: 0\r\n\r\n"],
    ],
    ids=["split-head", "split-body", "interim", "trailing-bytes", "bad-status",
         "different-lengths", "long"],
)  # fmt: skip
def test_only_one_whole_answer_in_one_short_read_is_remembered(reads: list[bytes]) -> None:
    memo: dict[bytes, Parsed] = {}
    first, _ = answer_to(reads, memo)
    assert memo == {}
    again, _ = answer_to(reads, memo)
    assert again == first


def test_failures_are_not_remembered_and_keep_their_words() -> None:
    memo: dict[bytes, Parsed] = {}
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"
    answer, connection = answer_to([raw], memo)
    assert answer.error == "protocol"
    assert "protocol error" in answer.detail
    assert connection.reusable is False
    assert memo == {}


def test_the_memo_stays_small_however_many_answers_differ() -> None:
    memo: dict[bytes, Parsed] = {}
    for n in range(engine._MEMO_SIZE * 3):
        raw = f"HTTP/1.1 200 OK\r\nX-N: {n}\r\nContent-Length: 0\r\n\r\n".encode()
        answer, _ = answer_to([raw], memo)
        assert answer.header("x-n") == str(n)
    assert 0 < len(memo) <= engine._MEMO_SIZE


def test_the_response_limit_runs_from_each_request_not_the_first() -> None:
    async def go() -> tuple[Answer, float]:
        loop = asyncio.get_running_loop()
        connection = _Connection({})
        connection.connection_made(_Transport())  # type: ignore[arg-type]
        first = connection.request(b"POST / HTTP/1.1\r\n\r\n", 0.05)  # arms the timer
        connection.data_received(OK)
        assert (await first).status_code == 200
        started = loop.time()
        second = await connection.request(b"POST / HTTP/1.1\r\n\r\n", 0.3)  # never answered
        return second, loop.time() - started

    answer, waited = asyncio.run(go())
    assert answer.error == "timeout"
    assert answer.detail == "no complete answer within 0.3 s"
    assert waited >= 0.29  # the first request's 0.05 s timer fired meanwhile and re-armed


def test_an_idle_connection_outlives_its_last_requests_limit() -> None:
    async def go() -> _Connection:
        connection = _Connection({})
        connection.connection_made(_Transport())  # type: ignore[arg-type]
        waiter = connection.request(b"POST / HTTP/1.1\r\n\r\n", 0.01)
        connection.data_received(OK)
        await waiter
        await asyncio.sleep(0.05)  # the limit's timer fires while the connection is idle
        return connection

    connection = asyncio.run(go())
    assert connection.reusable
    assert connection._timer is None  # not re-armed: the next request arms it
