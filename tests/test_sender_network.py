"""The sender over real sockets on 127.0.0.1: each fault kind, TLS trust, in-process parity."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from asgi import read_body, respond

from ecwid_mock import (
    AsyncSender,
    Event,
    InvalidOption,
    LocalHTTPSServer,
    Outcome,
    RetryPolicy,
    Sender,
    TestCertificates,
    VirtualClock,
    verify_signature,
)
from ecwid_mock._delivery.sender import resolve_ssl_context
from ecwid_mock._events.signing import sign
from ecwid_mock._schemas.catalog import schema_for
from ecwid_mock._transports.inprocess import Timeouts

SECRET = "network-test-client-secret"
SHORT = Timeouts(connect=2.0, response=0.3)


def make_event(event_type: str = "order.created", event_id: str | None = None) -> Event:
    payload = dict(schema_for(event_type)["examples"][0])
    if event_id is not None:
        payload["eventId"] = event_id
    return Event.from_payload(
        payload, signature=sign(payload["eventCreated"], payload["eventId"], SECRET)
    )


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI receiver: checks the signature; /status/NNN answers NNN; /redirect answers 301."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = await read_body(receive)
    headers = dict(scope["headers"])
    signature = headers.get(b"x-ecwid-webhook-signature", b"").decode()
    path = scope["path"]
    extra: list[tuple[bytes, bytes]] = [(b"x-query", scope["query_string"])]
    if not verify_signature(body, signature, SECRET):
        status, text = 401, b"bad signature"
    elif path.startswith("/status/"):
        status, text = int(path.rsplit("/", 1)[1]), b"as asked"
    elif path == "/redirect":
        status, text = 301, b"moved"
        extra.append((b"location", b"https://elsewhere.test/hook"))
    else:
        status, text = 200, b"ok"
    await send({"type": "http.response.start", "status": status, "headers": extra})
    await send({"type": "http.response.body", "body": text})


@pytest.fixture(scope="module")
def certificates() -> Iterator[TestCertificates]:
    certs = TestCertificates()
    yield certs
    certs.cleanup()


@pytest.fixture(scope="module")
def server(certificates: TestCertificates) -> Iterator[LocalHTTPSServer]:
    with LocalHTTPSServer(receiver, certificates=certificates) as running:
        yield running


def network_sender(url: str, certificates: TestCertificates, **options: Any) -> Sender:
    options.setdefault("verify", certificates.client_ssl_context())
    options.setdefault("clock", VirtualClock())
    return Sender(url, **options)


class RawTLSServer:
    """Accepts TLS connections, reads the request, then resets or hangs, as told."""

    def __init__(self, certificates: TestCertificates, behaviour: str) -> None:
        self.behaviour = behaviour
        self.context = certificates.server_ssl_context()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        self.port = self.listener.getsockname()[1]
        self.release = threading.Event()
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            raw, _ = self.listener.accept()
        except OSError:
            return
        raw.settimeout(5)
        try:
            conn = self.context.wrap_socket(raw, server_side=True)
        except OSError:
            raw.close()
            return
        with conn:
            try:
                self.requests.append(conn.recv(65536))
            except OSError:
                return
            if self.behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.release.wait(10)

    def __enter__(self) -> RawTLSServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self.listener.close()
        self.thread.join(10)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- fault kinds -------------------------------------------------------------------------


def test_refused_is_a_failed_attempt(certificates: TestCertificates) -> None:
    url = f"https://127.0.0.1:{closed_port()}/hook"
    with network_sender(url, certificates) as sender:
        delivery = sender.send(make_event())
    attempt = delivery.attempts[0]
    assert (attempt.error, attempt.reason) == ("refused", "connection refused")
    assert delivery.outcome is Outcome.RETRYING


def test_reset_is_a_failed_attempt(certificates: TestCertificates) -> None:
    with RawTLSServer(certificates, "reset") as raw:
        url = f"https://127.0.0.1:{raw.port}/hook"
        with network_sender(url, certificates) as sender:
            delivery = sender.send(make_event())
    assert raw.requests
    assert raw.requests[0].startswith(b"POST /hook?eventtype=order.created ")
    # Python's ssl reports a TCP reset under TLS as an end of stream: still a "reset".
    assert delivery.attempts[0].error == "reset"


def test_a_reset_over_plain_http_is_a_reset() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        with Sender(url, insecure_http_not_ecwid=True) as sender:
            delivery = sender.send(make_event())
    finally:
        thread.join(10)
        listener.close()
    assert delivery.attempts[0].error == "reset"
    assert "reset by the receiver" in delivery.attempts[0].reason


def test_a_hang_past_the_response_timeout_is_a_timeout(certificates: TestCertificates) -> None:
    with RawTLSServer(certificates, "hang") as raw:
        url = f"https://127.0.0.1:{raw.port}/hook"
        with network_sender(url, certificates, timeouts=SHORT) as sender:
            delivery = sender.send(make_event())
    assert delivery.attempts[0].error == "timeout"
    assert delivery.attempts[0].reason == "no complete answer within 0.3 s"


def test_an_untrusted_certificate_is_a_tls_failure_not_a_crash(server: LocalHTTPSServer) -> None:
    stranger = trustme.CA()
    context = ssl.create_default_context()
    stranger.configure_trust(context)
    with Sender(server.url + "/hook", verify=context) as sender:
        delivery = sender.send(make_event())
    attempt = delivery.attempts[0]
    assert attempt.error == "tls"
    assert "certificate" in attempt.reason
    assert delivery.outcome is Outcome.RETRYING


def test_the_system_trust_store_does_not_trust_a_test_ca(server: LocalHTTPSServer) -> None:
    with Sender(server.url + "/hook") as sender:
        assert sender.send(make_event()).attempts[0].error == "tls"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        pytest.param(
            "/redirect",
            "redirect 301 not followed (Location: https://elsewhere.test/hook)",
            id="301",
        ),
        pytest.param("/status/203", "status 203 is not one Ecwid accepts", id="203"),
        pytest.param("/status/208", "status 208 is not one Ecwid accepts", id="208"),
        pytest.param("/status/500", "status 500 Internal Server Error", id="500"),
    ],
)
def test_answers_ecwid_does_not_accept(
    server: LocalHTTPSServer, certificates: TestCertificates, path: str, reason: str
) -> None:
    with network_sender(server.url + path, certificates) as sender:
        delivery = sender.send(make_event())
    assert delivery.attempts[0].reason.startswith(reason)
    assert not delivery.delivered


@pytest.mark.parametrize("status", [200, 201, 202, 204, 209])
def test_answers_ecwid_accepts(
    server: LocalHTTPSServer, certificates: TestCertificates, status: int
) -> None:
    with network_sender(server.url + f"/status/{status}", certificates) as sender:
        sender.send(make_event()).assert_delivered()


# -- trust configuration -----------------------------------------------------------------


def test_verify_accepts_a_ca_file(server: LocalHTTPSServer, certificates: TestCertificates) -> None:
    path = certificates.ca_pem_path
    for verify in (path, str(path)):
        with Sender(server.url + "/hook", verify=verify) as sender:
            sender.send(make_event()).assert_delivered()


def test_an_unreadable_ca_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(InvalidOption, match=r"CA file '.*no-such-ca\.pem'.*from verify="):
        Sender("https://127.0.0.1:8443/hook", verify=missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(InvalidOption, match=r"garbage\.pem"):
        Sender("https://127.0.0.1:8443/hook", verify=garbage)


def test_the_system_trust_store_is_loaded_once_and_verifies() -> None:
    contexts = {resolve_ssl_context(True) for _ in range(3)}  # one bundle load, not three
    assert len(contexts) == 1
    (context,) = contexts
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_verification_cannot_be_turned_off() -> None:
    with pytest.raises(InvalidOption, match="cannot be turned off"):
        Sender("https://127.0.0.1:8443/hook", verify=False)


# -- one behaviour, three transports ------------------------------------------------------


def describe(delivery: Any) -> tuple[Any, ...]:
    """What must not depend on the transport."""
    skip = {"host", "content-length", "date", "server", "content-type", "transfer-encoding"}
    return (
        delivery.outcome,
        [
            (a.number, a.status_code, a.error, a.reason, a.body_excerpt, a.sent_at)
            for a in delivery.attempts
        ],
        [(k, v) for k, v in delivery.attempts[0].response_headers if k.lower() not in skip],
        [(k, v) for k, v in delivery.request_headers if k.lower() != "host"],
    )


@pytest.mark.parametrize("path", ["/hook", "/status/500", "/redirect", "/status/203"])
def test_in_process_and_local_https_behave_the_same(
    server: LocalHTTPSServer, certificates: TestCertificates, path: str
) -> None:
    events = [make_event(event_id=f"parity-{i}") for i in range(3)]
    forged = Event.from_payload(schema_for("order.created")["examples"][0], signature="AAAA")
    results = []
    policy = RetryPolicy([15 * 60, 30 * 60])  # short: each attempt is a real request
    for sender in (
        Sender.for_app(receiver, path=path, clock=VirtualClock(), retry_policy=policy),
        network_sender(server.url + path, certificates, retry_policy=policy),
    ):
        with sender:
            deliveries = sender.send_batch([*events, forged])
            sender.run_until_idle()
        results.append([describe(d) for d in deliveries])
    assert results[0] == results[1]


@pytest.mark.asyncio
async def test_async_sender_over_local_https(
    server: LocalHTTPSServer, certificates: TestCertificates
) -> None:
    async with AsyncSender(server.url + "/hook", verify=certificates.ca_pem_path) as sender:
        deliveries = await sender.send(make_event(), times=5, concurrently=True)
        closed = AsyncSender(
            f"https://127.0.0.1:{closed_port()}/hook",
            verify=certificates.ca_pem_path,
        )
        async with closed:
            refused = await closed.send(make_event())
    assert all(d.delivered for d in deliveries)
    assert refused.attempts[0].error == "refused"


@pytest.mark.asyncio
async def test_async_sender_tls_failure_and_timeout(
    server: LocalHTTPSServer, certificates: TestCertificates
) -> None:
    async with AsyncSender(server.url + "/hook") as sender:
        assert (await sender.send(make_event())).attempts[0].error == "tls"
    with RawTLSServer(certificates, "hang") as raw:
        async with AsyncSender(
            f"https://127.0.0.1:{raw.port}/hook",
            verify=certificates.client_ssl_context(),
            timeouts=SHORT,
        ) as sender:
            assert (await sender.send(make_event())).attempts[0].error == "timeout"
    with RawTLSServer(certificates, "reset") as raw:
        async with AsyncSender(
            f"https://127.0.0.1:{raw.port}/hook",
            verify=certificates.client_ssl_context(),
        ) as sender:
            assert (await sender.send(make_event())).attempts[0].error == "reset"


def test_wsgi_app_over_local_https(certificates: TestCertificates) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        ok = verify_signature(body, environ.get("HTTP_X_ECWID_WEBHOOK_SIGNATURE"), SECRET)
        start_response("204 No Content" if ok else "401 Unauthorized", [])
        return []

    with (
        LocalHTTPSServer(app, certificates=certificates) as wsgi_server,
        network_sender(wsgi_server.url + "/hook", certificates) as sender,
    ):
        sender.send(make_event()).assert_delivered()


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/hook", "/status/500", "/redirect", "/status/208"])
async def test_async_network_engine_matches_the_sync_one(
    server: LocalHTTPSServer, certificates: TestCertificates, path: str
) -> None:
    headers = {"X-App-Kind": "text/plain", "X-App": "7"}
    events = [make_event(event_id=f"engine-{i}") for i in range(2)]
    policy = RetryPolicy([60])
    with network_sender(
        server.url + path, certificates, custom_headers=headers, retry_policy=policy
    ) as sync_sender:
        expected = [describe(d) for d in sync_sender.send_batch(events)]
        sync_sender.run_until_idle()
    async with AsyncSender(
        server.url + path,
        verify=certificates.client_ssl_context(),
        custom_headers=headers,
        retry_policy=policy,
        clock=VirtualClock(),
    ) as async_sender:
        got = [describe(d) for d in await async_sender.send_batch(events)]
        await async_sender.run_until_idle()
    assert got == expected


@pytest.mark.asyncio
async def test_the_async_engine_sends_both_header_lines(certificates: TestCertificates) -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        seen.append(list(scope["headers"]))
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with LocalHTTPSServer(app, certificates=certificates) as local:
        async with AsyncSender(
            local.url + "/hook",
            verify=certificates.client_ssl_context(),
            custom_headers=[("X-App", "1"), ("X-App", "2"), ("Authorization", "Bearer t")],
        ) as sender:
            (await sender.send(make_event())).assert_delivered()
    names = [name for name, _ in seen[0]]
    assert names.count(b"x-app") == 2  # a repeated custom header is sent as given
    assert names.count(b"content-type") == 1
    assert (b"authorization", b"Bearer t") in seen[0]
    assert b"cookie" not in names
    assert b"accept-encoding" not in names


async def echo_id(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the event's own id, repeated past one read (40 KiB), after a short wait."""
    if scope["type"] != "http":
        return
    event_id = json.loads(await read_body(receive))["eventId"].encode()
    await asyncio.sleep((event_id[0] % 4) / 1000)  # the answers come back out of order
    await respond(send, 200, (event_id + b";") * (40 * 1024 // (len(event_id) + 1)))


def test_concurrent_answers_each_reach_their_own_delivery(certificates: TestCertificates) -> None:
    """Answers of many reads each, coming back out of order, each reach their own delivery."""
    events = [make_event(event_id=f"{index:08d}-echo-id") for index in range(48)]

    async def send_all(url: str) -> list[Any]:
        async with AsyncSender(url, verify=certificates.client_ssl_context()) as sender:
            return [d async for d in sender.send_many(events, concurrency=16)]

    with LocalHTTPSServer(echo_id, certificates=certificates) as running:
        deliveries = asyncio.run(send_all(running.url))
    assert len(deliveries) == len(events)
    for delivery in deliveries:
        body = delivery.last_attempt.answer.body
        own = delivery.event.event_id.encode() + b";"
        assert len(body) > 32 * 1024
        assert not delivery.last_attempt.answer.body_truncated
        assert body == own * (len(body) // len(own)), delivery
