"""The engine's connections: reuse that never blames the receiver, limits, and bulk books.

A receiver that closes after every answer (PHP servers, proxies) must get every event once
and see no phantom reset; a resolver that hangs must stop at the connect limit; a bulk run
must end every event it sent in exactly one record, even when its source raises or its
consumer stops early.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fault_server import fault_server

from ecwid_mock import AsyncSender, EventFactory, Sender, TestCertificates, Timeouts

SECRET = "engine-connections-client-secret"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
N = 20


@pytest.fixture(scope="module")
def certificates() -> Iterator[TestCertificates]:
    made = TestCertificates()
    yield made
    made.cleanup()


def events(count: int, seed: int = 0) -> list[Any]:
    factory = EventFactory(seed=seed, client_secret=SECRET)
    return [factory.build("order.created") for _ in range(count)]


def test_a_receiver_closing_after_every_answer_gets_each_event_once_sync(
    certificates: TestCertificates,
) -> None:
    with (
        fault_server(lambda n: [OK], certificates, close_after_each=True) as server,
        Sender(server.url, verify=server.ca_path) as sender,
    ):
        deliveries = [sender.send(e) for e in events(N)]
        after_error = [sender.send(e) for e in events(N, seed=1)]
    assert [d.delivered for d in deliveries + after_error] == [True] * (2 * N)
    assert server.received == 2 * N
    assert server.connections == 2 * N


def test_a_receiver_closing_after_every_answer_loses_nothing_async_and_concurrent(
    certificates: TestCertificates,
) -> None:
    async def go(url: str, ca: str) -> tuple[list[Any], list[Any]]:
        async with AsyncSender(url, verify=ca) as sender:
            one_by_one = [await sender.send(e) for e in events(N)]
            at_once = await sender.send_batch(events(N, seed=1), concurrency=5)
            return one_by_one, at_once

    with fault_server(lambda n: [OK], certificates, close_after_each=True) as server:
        one_by_one, at_once = asyncio.run(go(server.url, server.ca_path))
    assert all(d.delivered for d in one_by_one + at_once)
    assert [a.error for d in one_by_one + at_once for a in d.attempts] == [None] * (2 * N)
    assert server.received == 2 * N


def test_a_500_then_close_is_one_failed_attempt_and_the_next_event_still_arrives(
    certificates: TestCertificates,
) -> None:
    answers = {1: [b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"]}
    with (
        fault_server(lambda n: answers.get(n, [OK]), certificates, close_after_each=True) as srv,
        Sender(srv.url, verify=srv.ca_path, retry_policy="none") as sender,
    ):
        first, second = (sender.send(e) for e in events(2))
    assert first.status_code == 500
    assert second.delivered
    assert srv.received == 2


def test_keep_alive_is_reused_when_the_receiver_keeps_it(certificates: TestCertificates) -> None:
    with (
        fault_server(lambda n: [OK], certificates) as server,
        Sender(server.url, verify=server.ca_path) as sender,
    ):
        assert all(sender.send(e).delivered for e in events(5))
    assert server.connections == 1


KEEP_3 = b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=3\r\nContent-Length: 0\r\n\r\n"


def test_a_receiver_answering_alike_gets_each_answer_recorded_alike(
    certificates: TestCertificates,
) -> None:
    with (
        fault_server(lambda n: [KEEP_3], certificates) as server,
        Sender(server.url, verify=server.ca_path) as sender,
    ):
        deliveries = [sender.send(e) for e in events(6)]
    answers = [d.attempts[-1].answer for d in deliveries]
    assert all(d.delivered for d in deliveries)
    assert all(a == answers[0] for a in answers)
    assert answers[0].header("keep-alive") == "timeout=3"
    assert server.received == 6
    assert server.connections == 1


def test_a_hanging_resolver_stops_at_the_connect_limit() -> None:
    release = asyncio.Event()

    async def hangs(host: str, port: int) -> list[tuple[int, Any]]:
        await release.wait()
        raise AssertionError("never released")

    limits = Timeouts(connect=0.2, response=5)
    started = time.monotonic()
    with Sender("https://hangs.test/hook", resolver=hangs, timeouts=limits) as sender:
        delivery = sender.send(events(1)[0])
    elapsed = time.monotonic() - started
    attempt = delivery.attempts[0]
    assert (attempt.error, attempt.reason) == (
        "dns",
        "the host name did not resolve within 0.2 s",
    )
    assert elapsed < 5  # the response limit never started: the connect limit ended it


def test_a_name_that_does_not_resolve_is_a_dns_failure() -> None:
    import socket

    async def unknown(host: str, port: int) -> list[tuple[int, Any]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with Sender("https://nowhere.test/hook", resolver=unknown) as sender:
        attempt = sender.send(events(1)[0]).attempts[0]
    assert attempt.error == "dns"
    assert "did not resolve" in attempt.reason


def test_a_bulk_run_whose_source_raises_records_every_event_sent(
    certificates: TestCertificates,
) -> None:
    def source() -> Iterator[Any]:
        yield from events(12)
        raise ValueError("the source broke")

    async def go(url: str, ca: str) -> tuple[list[Any], Any]:
        records: list[Any] = []
        async with AsyncSender(url, verify=ca) as sender:
            run = sender.send_many(source(), concurrency=4)

            async def read_all() -> None:
                async for delivery in run:
                    records.append(delivery)

            with pytest.raises(ValueError, match="the source broke"):
                await read_all()
        return records, run

    with fault_server(lambda n: [("sleep", 0.01), OK], certificates) as server:
        records, run = asyncio.run(go(server.url, server.ca_path))
    assert len(records) == server.received == 12
    assert run.summary.total == 12


def test_a_bulk_run_stopped_early_keeps_the_deliveries_in_flight(
    certificates: TestCertificates,
) -> None:
    with (
        fault_server(lambda n: [("sleep", 0.01), OK], certificates) as server,
        Sender(server.url, verify=server.ca_path) as sender,
    ):
        run = sender.send_many(iter(events(200)), concurrency=8)
        read = [next(run) for _ in range(10)]
        run.close()
    assert len(read) + len(run.unread) == server.received
    assert run.summary.total == server.received
    assert all(d.delivered for d in read + run.unread)


def test_a_token_in_the_webhook_url_is_sent_but_never_shown(
    certificates: TestCertificates,
) -> None:
    token = "secret_UrlCanaryToken123456"
    with fault_server(
        lambda n: [b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"], certificates
    ) as srv:
        url = f"{srv.url}?token={token}&app=7"
        with Sender(url, verify=srv.ca_path, retry_policy="none") as sender:
            delivery = sender.send(events(1)[0])
            shown = [
                repr(sender),
                delivery.url,
                delivery.explain("to be delivered"),
                repr(delivery),
            ]
    assert token.encode() in srv.requests[0]  # the receiver gets the URL as configured
    assert all(token not in text for text in shown), shown
    assert "token=********&app=7" in delivery.url
