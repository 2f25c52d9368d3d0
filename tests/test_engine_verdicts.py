"""One engine, one verdict: the same raw answer judged alike through every entry point.

Each row is an answer a real (odd) server may give, written byte for byte by a scripted TLS
server on 127.0.0.1. It goes through ``Sender``, ``AsyncSender.send``,
``AsyncSender.send_many``, ``MockEcwid`` and ``ecwid-mock send``; all must record the same
verdict and reason, and the verdict must be what RFC 9112 and Ecwid's contract say.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fault_server import Action, fault_server

from ecwid_mock import (
    AsyncSender,
    EventFactory,
    MockEcwid,
    Sender,
    TestCertificates,
    Timeouts,
    VirtualClock,
)
from ecwid_mock._cli import main

SECRET = "engine-verdicts-client-secret"
#: Scaled limits: Ecwid's are 3 s and 10 s; the rules are the same at any scale.
LIMITS = Timeouts(connect=2.0, response=0.6)
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
BIG_HEAD = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\nContent-Length: 0\r\n\r\n"

# (id, actions, accepted, status or error kind, words the reason must contain)
ROWS: list[tuple[str, list[Action], bool, int | str, str]] = [
    ("200", [OK_HEAD], True, 200, ""),
    ("203", [b"HTTP/1.1 203 Non-Authoritative\r\nContent-Length: 0\r\n\r\n"], False, 203,
     "not one Ecwid accepts"),
    ("209", [b"HTTP/1.1 209 Whatever\r\nContent-Length: 0\r\n\r\n"], True, 209, ""),
    ("301", [b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere.test/\r\nContent-Length: 0"
             b"\r\n\r\n"], False, 301, "redirect 301 not followed"),
    ("500", [b"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\noops"], False, 500,
     "500 Internal Server Error"),
    ("bare-lf", [b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"], True, 200, ""),
    ("obs-fold", [b"HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\nok"],
     True, 200, ""),
    ("equal-content-lengths", [b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"], True,
     200, ""),
    ("repeated-content-length", [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                 b"Content-Length: 2\r\n\r\nok"], True, 200, ""),
    ("different-content-lengths", [b"HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"],
     False, "protocol", "protocol error"),
    ("four-digit-status", [b"HTTP/1.1 0200 OK\r\nContent-Length: 2\r\n\r\nok"], False,
     "protocol", "protocol error"),
    ("hex-prefix-chunk-size", [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"0x2\r\nok\r\n0\r\n\r\n"], False, "protocol", "chunk size"),
    ("gzip-to-close", [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nokok", "close"],
     True, 200, ""),
    ("chunked-with-trailers", [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               b"2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n"], True, 200, ""),
    ("close-delimited", [b"HTTP/1.1 200 OK\r\n\r\nuntil the close", "close"], True, 200, ""),
    ("100-continue", [b"HTTP/1.1 100 Continue\r\n\r\n", OK_HEAD], True, 200, ""),
    ("half-a-head-then-close", [b"HTTP/1.1 200 OK\r\nContent-Le", "close"], False,
     "protocol", "in the middle of the answer"),
    ("reset-mid-answer", [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "reset"],
     False, "reset", "reset"),
    ("closed-before-answer", ["close"], False, "reset", "before it answered"),
    ("head-over-64-kib", [BIG_HEAD], False, "protocol", "64 KiB"),
    ("head-over-64-kib-split",
     [BIG_HEAD[i : i + 1000] for i in range(0, len(BIG_HEAD), 1000)], False, "protocol",
     "64 KiB"),
    ("drip-under-the-limit",
     [b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", *[x for c in b"okok" for x in
      (("sleep", 0.05), bytes([c]))]], True, 200, ""),
    ("drip-over-the-limit",
     [b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n", *[x for c in b"okokok" for x in
      (("sleep", 0.15), bytes([c]))]], False, "timeout", "no complete answer within 0.6 s"),
]  # fmt: skip


@pytest.fixture(scope="module")
def certificates() -> Iterator[TestCertificates]:
    made = TestCertificates()
    yield made
    made.cleanup()


def event(number: int = 0) -> Any:
    return EventFactory(seed=number, client_secret=SECRET).build("order.created")


def verdict(delivery: Any) -> tuple[bool, int | str, str]:
    attempt = delivery.attempts[-1]
    return attempt.accepted, attempt.error or attempt.status_code, attempt.reason


def through_sender(url: str, ca: str) -> tuple[bool, int | str, str]:
    with Sender(url, verify=ca, timeouts=LIMITS, retry_policy="none") as sender:
        return verdict(sender.send(event()))


def through_async_send(url: str, ca: str) -> tuple[bool, int | str, str]:
    async def go() -> Any:
        async with AsyncSender(url, verify=ca, timeouts=LIMITS, retry_policy="none") as sender:
            return verdict(await sender.send(event()))

    return asyncio.run(go())  # type: ignore[no-any-return]


def through_send_many(url: str, ca: str) -> tuple[bool, int | str, str]:
    async def go() -> Any:
        async with AsyncSender(url, verify=ca, timeouts=LIMITS, retry_policy="none") as sender:
            found = [verdict(d) async for d in sender.send_many([event()])]
            assert len(found) == 1
            return found[0]

    return asyncio.run(go())  # type: ignore[no-any-return]


def through_mock_ecwid(url: str, ca: str) -> tuple[bool, int | str, str]:
    factory = EventFactory(seed=0, client_secret=SECRET)
    with MockEcwid(
        url, factory=factory, clock=VirtualClock(), verify=ca, timeouts=LIMITS, retry_policy="none"
    ) as ecwid:
        return verdict(ecwid.send("order.created"))


def through_cli(url: str, ca: str, capsys: pytest.CaptureFixture[str]) -> tuple[Any, ...]:
    """The CLI's verdict: (True,) when delivered (exit 0), else what its report says."""
    capsys.readouterr()
    code = main(
        ["send", "order.created", "--url", url, "--cacert", ca, "--client-secret", SECRET,
         "--seed", "0", "--json", "--response-timeout", str(LIMITS.response),
         "--connect-timeout", str(LIMITS.connect)]
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    if code == 0:
        assert report["summary"]["outcomes"]["delivered"] == 1
        return (True,)
    attempt = report["failures"][0]["attempts"][-1]
    return False, attempt["error"] or attempt["status_code"], attempt["reason"]


@pytest.mark.parametrize(
    ("actions", "accepted", "result", "words"),
    [pytest.param(a, ok, r, w, id=i) for i, a, ok, r, w in ROWS],
)
def test_every_entry_point_gives_the_same_verdict(
    certificates: TestCertificates,
    capsys: pytest.CaptureFixture[str],
    actions: list[Action],
    accepted: bool,
    result: int | str,
    words: str,
) -> None:
    paths = {
        "Sender": through_sender,
        "AsyncSender.send": through_async_send,
        "AsyncSender.send_many": through_send_many,
        "MockEcwid": through_mock_ecwid,
    }
    with fault_server(lambda n: actions, certificates) as server:
        url, ca = server.url, server.ca_path
        # all at once, each on its own connection: the drip rows wait on the server's timers
        with ThreadPoolExecutor(len(paths)) as pool:
            running = {name: pool.submit(path, url, ca) for name, path in paths.items()}
            cli = through_cli(url, ca, capsys)  # here: capsys reads this thread's output
            seen = {name: future.result() for name, future in running.items()}
        assert server.received == 5  # one request each: nothing resent, nothing lost
    first = seen["Sender"]
    assert first[:2] == (accepted, result), seen
    assert words in first[2]
    assert all(got == first for got in seen.values()), seen
    assert cli == ((True,) if accepted else first), cli


def test_a_non_ascii_path_is_sent_percent_encoded(certificates: TestCertificates) -> None:
    with fault_server(lambda n: [OK_HEAD], certificates) as server:
        url = server.url.replace("/hook", "/h\u00e9ll\u00f6/\u4e2d")
        with Sender(url, verify=server.ca_path) as sender:
            sender.send(event()).assert_delivered()
    line = server.requests[0].split(b"\r\n", 1)[0]
    assert line == b"POST /h%C3%A9ll%C3%B6/%E4%B8%AD?eventtype=order.created HTTP/1.1"


CHECKED_ROWS = ["203", "500", "bare-lf", "four-digit-status", "closed-before-answer"]


@pytest.mark.parametrize("row", CHECKED_ROWS)
def test_ecwid_mock_check_judges_the_same_answer_the_same_way(
    certificates: TestCertificates, capsys: pytest.CaptureFixture[str], row: str
) -> None:
    actions, accepted = next((a, ok) for i, a, ok, _r, _w in ROWS if i == row)
    with fault_server(lambda n: actions, certificates) as server:
        expected = through_sender(server.url, server.ca_path)
        capsys.readouterr()
        main(
            ["check", server.url, "--cacert", server.ca_path, "--client-secret", SECRET,
             "--events", "order.created", "--checks", "delivered-codes", "--json", "-",
             "--timeout", str(LIMITS.response)]
        )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    (check,) = [c for c in report["checks"] if c["id"] == "delivered-codes"]
    seen = {(e["delivered"], e["error"] or e["status"], e["reason"]) for e in check["evidence"]}
    assert seen == {expected}, (seen, expected)
    if row == "203":  # judged by the check that owns 203/208, which delivered-codes names
        assert (check["verdict"], check["blocked_by"]) == ("skip", "no-203-208")
    else:
        assert check["verdict"] == ("pass" if accepted else "fail")
