from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidMockError, InvalidOption
from ecwid_mock._servers.tls import LocalHTTPSServer, TestCertificates, _bind


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        return  # no lifespan support: uvicorn's "auto" mode carries on without it
    body = f"asgi {scope['scheme']} {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"wsgi {environ['wsgi.url_scheme']} {environ['PATH_INFO']}".encode()]


class AsgiClassApp:
    """Shaped like Starlette/FastAPI: an object with ``async def __call__``."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await asgi_app(scope, receive, send)


class WsgiClassApp:
    """Shaped like Flask or Django's WSGIHandler: ``__call__(environ, start_response)``."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return wsgi_app(environ, start_response)


@pytest.fixture(scope="module")
def certificates() -> Iterator[TestCertificates]:
    certs = TestCertificates()
    yield certs
    certs.cleanup()


def server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ecwid-mock-https")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("app", "kind"),
    [
        pytest.param(asgi_app, "asgi", id="asgi-function"),
        pytest.param(AsgiClassApp(), "asgi", id="asgi-object"),
        pytest.param(wsgi_app, "wsgi", id="wsgi-function"),
        pytest.param(WsgiClassApp(), "wsgi", id="wsgi-object"),
    ],
)
def test_serves_the_app_over_verified_https(
    app: Callable[..., Any], kind: str, certificates: TestCertificates
) -> None:
    with LocalHTTPSServer(app, certificates=certificates) as server:
        assert server.kind == kind
        with httpx.Client(verify=server.client_ssl_context()) as client:
            first = client.get(f"{server.url}/hello")
            second = client.post(f"{server.url}/again", content=b"x")
    assert first.status_code == 200
    assert first.text == f"{kind} https /hello"
    assert second.text == f"{kind} https /again"


@pytest.mark.parametrize("app", [asgi_app, wsgi_app], ids=["asgi", "wsgi"])
def test_a_client_that_does_not_trust_the_ca_is_refused(
    app: Callable[..., Any], certificates: TestCertificates
) -> None:
    stranger = TestCertificates().client_ssl_context()
    with LocalHTTPSServer(app, certificates=certificates) as server:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(server.url, verify=stranger)
        # The server survives the failed handshake and still serves trusting clients.
        assert httpx.get(server.url, verify=server.client_ssl_context()).status_code == 200


def test_client_context_verifies_certificates_and_host_names(
    certificates: TestCertificates,
) -> None:
    context = certificates.client_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    # Only our CA is trusted, not the system store.
    assert len(context.get_ca_certs()) == 1


def test_the_certificate_covers_localhost(certificates: TestCertificates) -> None:
    with LocalHTTPSServer(asgi_app, certificates=certificates) as server:
        response = httpx.get(
            f"https://localhost:{server.port}/x", verify=server.client_ssl_context()
        )
    assert response.text == "asgi https /x"


def test_serves_on_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with LocalHTTPSServer(wsgi_app, host="::1") as server:
        assert server.url == f"https://[::1]:{server.port}"
        response = httpx.get(server.url + "/six", verify=server.client_ssl_context())
    assert response.text == "wsgi https /six"


def test_ca_pem_path_lets_any_client_trust_the_server() -> None:
    certs = TestCertificates()
    path = certs.ca_pem_path
    assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert path == certs.ca_pem_path  # written once
    with LocalHTTPSServer(asgi_app, certificates=certs) as server:
        assert httpx.get(server.url, verify=ssl.create_default_context(cafile=path)).is_success
    certs.cleanup()
    certs.cleanup()
    assert not path.exists()
    assert not path.parent.exists()


@pytest.mark.parametrize("app", [asgi_app, wsgi_app], ids=["asgi", "wsgi"])
def test_stop_frees_the_port_joins_the_thread_and_is_idempotent(
    app: Callable[..., Any], certificates: TestCertificates
) -> None:
    server = LocalHTTPSServer(app, certificates=certificates).start()
    port = server.port
    httpx.get(server.url, verify=server.client_ssl_context())
    assert server.running
    server.stop()
    server.stop()
    assert not server.running
    assert server_threads() == []
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # would raise if the server still held it
    again = LocalHTTPSServer(app, port=port, certificates=certificates)
    with again:
        assert again.port == port
        assert httpx.get(again.url, verify=again.client_ssl_context()).status_code == 200


def test_stop_before_start_is_harmless() -> None:
    LocalHTTPSServer(asgi_app).stop()


def test_the_context_manager_stops_the_server_on_errors(certificates: TestCertificates) -> None:
    server = LocalHTTPSServer(asgi_app, certificates=certificates)
    with pytest.raises(ZeroDivisionError), server:
        1 / 0  # noqa: B018
    assert not server.running
    assert server_threads() == []


def test_several_servers_run_at_once(certificates: TestCertificates) -> None:
    servers = [
        LocalHTTPSServer(app, certificates=certificates).start()
        for app in (asgi_app, wsgi_app, asgi_app, wsgi_app)
    ]
    try:
        assert len({s.port for s in servers}) == 4
        for server in servers:
            assert 1024 <= server.port <= 65535
            response = httpx.get(server.url, verify=server.client_ssl_context())
            assert response.text.startswith(server.kind)
    finally:
        for server in servers:
            server.stop()
    assert server_threads() == []


def test_a_port_in_use_is_a_clear_error(certificates: TestCertificates) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = LocalHTTPSServer(asgi_app, port=port, certificates=certificates)
        with pytest.raises(InvalidOption, match=rf"invalid port {port}.*already in use"):
            server.start()
    assert not server.running
    assert server_threads() == []


def test_a_failed_app_startup_is_reported_and_cleaned_up(
    certificates: TestCertificates,
) -> None:
    async def app_that_cannot_start(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    server = LocalHTTPSServer(app_that_cannot_start, certificates=certificates)
    with pytest.raises(EcwidMockError, match=r"failed to start.*lifespan"):
        server.start()
    assert not server.running
    assert server_threads() == []
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", server.port))


def test_lifespan_startup_and_shutdown_run(certificates: TestCertificates) -> None:
    events: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        await asgi_app(scope, receive, send)

    with LocalHTTPSServer(app, certificates=certificates):
        assert events == ["lifespan.startup"]
    assert events == ["lifespan.startup", "lifespan.shutdown"]


def stop_during_a_request(
    server: LocalHTTPSServer, entered: threading.Event
) -> list[httpx.Response]:
    """Send a request, stop() the server once the app has it, and return what the client got."""
    answers: list[httpx.Response] = []
    client = threading.Thread(
        target=lambda: answers.append(httpx.get(server.url, verify=server.client_ssl_context()))
    )
    client.start()
    assert entered.wait(10)
    server.stop()
    client.join(10)
    assert server_threads() == []
    return answers


def test_a_request_in_flight_at_stop_gets_its_whole_answer(certificates: TestCertificates) -> None:
    entered = threading.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        entered.set()
        while server.running:  # answer only once stop() has begun
            await asyncio.sleep(0.001)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"finished"})

    server = LocalHTTPSServer(app, certificates=certificates).start()
    answers = stop_during_a_request(server, entered)
    assert [(a.status_code, a.text) for a in answers] == [(200, "finished")]


def test_a_request_outliving_the_graceful_window_is_cut_off(
    certificates: TestCertificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ecwid_mock._servers.tls._GRACEFUL_SHUTDOWN", 0.05)
    entered, cancelled = threading.Event(), threading.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        entered.set()
        try:
            await asyncio.Event().wait()  # never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise

    server = LocalHTTPSServer(app, certificates=certificates).start()
    answers = stop_during_a_request(server, entered)
    assert cancelled.is_set()
    assert [a.status_code for a in answers] == [500]  # uvicorn's answer for a cancelled app


@pytest.mark.parametrize(
    "port",
    [
        pytest.param(80, id="privileged"),
        pytest.param(1023, id="below-1024"),
        pytest.param(65536, id="above-65535"),
        pytest.param(-1, id="negative"),
        pytest.param("8443", id="a-string"),
        pytest.param(True, id="a-bool"),
    ],
)
def test_ports_outside_ecwids_range_are_refused(port: Any) -> None:
    with pytest.raises(InvalidOption, match=r"invalid port .*1024–65535"):
        LocalHTTPSServer(asgi_app, port=port)


def test_kind_can_be_forced() -> None:
    def two_args(a: Any, b: Any) -> Any: ...

    assert LocalHTTPSServer(two_args, kind="asgi").kind == "asgi"
    assert LocalHTTPSServer(asgi_app, kind="wsgi").kind == "wsgi"


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(lambda environ: None, id="one-argument"),
        pytest.param(lambda *args: None, id="varargs"),
        pytest.param(AsgiClassApp, id="a-class"),
    ],
)
def test_an_app_of_unknown_kind_must_be_named(app: Any) -> None:
    with pytest.raises(InvalidOption, match="'asgi' or 'wsgi'"):
        LocalHTTPSServer(app)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidOption, match="invalid app kind 'rsgi'"):
        LocalHTTPSServer(asgi_app, kind="rsgi")  # type: ignore[arg-type]


def test_the_port_is_unknown_until_started() -> None:
    server = LocalHTTPSServer(asgi_app)
    with pytest.raises(EcwidMockError, match="no port yet"):
        _ = server.url
    assert LocalHTTPSServer(asgi_app, port=9443).url == "https://127.0.0.1:9443"


def test_serve_forever_blocks_until_stopped(certificates: TestCertificates) -> None:
    server = LocalHTTPSServer(wsgi_app, certificates=certificates)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    try:
        # serve_forever() starts the server itself; wait (bounded) until it accepts requests.
        deadline = threading.Event()
        for _ in range(200):
            if server.running:
                break
            deadline.wait(0.01)
        assert httpx.get(server.url, verify=server.client_ssl_context()).is_success
    finally:
        server.stop()
        serving.join(5)
    assert not serving.is_alive()
    assert server_threads() == []


def test_a_default_server_makes_its_own_certificates() -> None:
    with LocalHTTPSServer(asgi_app) as server:
        assert isinstance(server.certificates, TestCertificates)
        assert "127.0.0.1" in server.certificates.identities
        assert "running" in repr(server)
    assert "stopped" in repr(server)


def test_test_certificates_is_not_collected_as_a_test() -> None:
    assert TestCertificates.__test__ is False


def test_listening_sockets_are_tcp_so_responses_are_not_delayed() -> None:
    # asyncio turns off Nagle's algorithm on accepted connections only for IPPROTO_TCP
    # sockets; a generic one made keep-alive responses wait ~40 ms each for a delayed ACK.
    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


@pytest.mark.parametrize(
    "timeout", [0, -1, float("nan"), "5"], ids=["zero", "negative", "nan", "str"]
)
def test_a_bad_startup_timeout_is_refused(timeout: Any) -> None:
    with pytest.raises(InvalidOption, match="startup_timeout"):
        LocalHTTPSServer(asgi_app, startup_timeout=timeout)
