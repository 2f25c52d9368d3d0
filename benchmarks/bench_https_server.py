"""LocalHTTPSServer: start/stop cost and the reference receiver's rate over real TLS.

H1  LocalHTTPSServer (ASGI) start + one request + stop, anchored on the floor of any local
    TLS server: an SSL context with the same certificate plus a bound, listening socket
    (informational; a test suite starts many servers).
H2  the reference receiver's rate over TLS, one client, sequential, anchored on a bare ASGI
    app behind the same server (the receiver's own cost shows as the ratio; informational).

Run: python benchmarks/bench_https_server.py [--quick] [--row H1]
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from _harness import Row, RowMaker, Settings, compare, main, rate

SECRET = "bench-secret"


async def _bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def start_stop_rows(settings: Settings) -> list[Row]:
    """H1 LocalHTTPSServer start + stop"""
    import httpx

    from ecwid_mock import LocalHTTPSServer, TestCertificates

    certificates = TestCertificates()

    def cycle_ms() -> float:
        started = time.perf_counter()
        server = LocalHTTPSServer(_bare_asgi, certificates=certificates).start()
        httpx.get(server.url, verify=server.client_ssl_context())
        server.stop()
        return (time.perf_counter() - started) * 1000

    def floor_ms() -> float:
        started = time.perf_counter()
        context = certificates.server_ssl_context()
        context.check_hostname = False
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
        return (time.perf_counter() - started) * 1000

    try:
        return [
            compare("H1", ("LocalHTTPSServer start + 1 request + stop", "ms", cycle_ms),
                    ("SSL context + listening socket", "ms", floor_ms),
                    settings.pick(15, 5))
        ]  # fmt: skip
    finally:
        certificates.cleanup()


def receiver_rows(settings: Settings) -> list[Row]:
    """H2 reference receiver rate over TLS"""
    import httpx

    from ecwid_mock import EventFactory, LocalHTTPSServer, TestCertificates
    from ecwid_mock._servers.reference import reference_receiver

    certificates = TestCertificates()
    events = list(EventFactory(seed=1, client_secret=SECRET).stream(settings.pick(500, 150)))

    def over_tls(app: Callable[..., Any]) -> Callable[[], float]:
        def measure() -> float:
            with (
                LocalHTTPSServer(app, certificates=certificates) as server,
                httpx.Client(verify=server.client_ssl_context()) as client,
            ):
                url = server.url + "/webhooks/ecwid"
                client.post(url, content=b"{}")

                def work() -> int:
                    for event in events:
                        client.post(url, content=event.body, headers=event.headers)
                    return len(events)

                return rate(work)

        return measure

    try:
        return [
            compare("H2", ("reference receiver over TLS, sequential", "req/s",
                           over_tls(reference_receiver(client_secret=SECRET))),
                    ("bare ASGI app, same server", "req/s", over_tls(_bare_asgi)),
                    settings.rounds)
        ]  # fmt: skip
    finally:
        certificates.cleanup()


ROWS: dict[str, RowMaker] = {"H1": start_stop_rows, "H2": receiver_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
