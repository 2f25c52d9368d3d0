"""LocalHTTPSServer start/stop cost and request rate (issue: real local HTTPS for tests).

Goals: start() and stop() well under a second each (a test suite starts many servers); the
reference receiver answers signed deliveries over TLS fast enough that the network is never
what a receiver's test suite waits on. The in-run baseline is the same requests to an ASGI app
that only answers 200, so the receiver's own cost shows as the difference.
Run: python benchmarks/bench_https_server.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from ecwid_mock import sign
from ecwid_mock._servers.reference import reference_receiver
from ecwid_mock._servers.tls import LocalHTTPSServer, TestCertificates

_SECRET = "bench-secret"


async def _bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _bare_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [])
    return [b""]


def _payload(n: int) -> dict[str, Any]:
    return {
        "eventId": f"bench-{n}",
        "eventCreated": 1725434529,
        "storeId": 61882411,
        "entityId": 516483487,
        "eventType": "order.created",
        "data": {
            "orderId": "K8XTQ",
            "newPaymentStatus": "AWAITING_PAYMENT",
            "newFulfillmentStatus": "AWAITING_PROCESSING",
        },
    }


def _start_stop(app: Callable[..., Any], rounds: int, certs: TestCertificates) -> None:
    starts, stops = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        server = LocalHTTPSServer(app, certificates=certs).start()
        t1 = time.perf_counter()
        httpx.get(server.url, verify=server.client_ssl_context())
        t2 = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - t2)
        starts.append(t1 - t0)
    kind = LocalHTTPSServer(app, certificates=certs).kind
    print(
        f"{kind} start: median {statistics.median(starts) * 1000:6.1f} ms, "
        f"max {max(starts) * 1000:6.1f} ms | stop: median {statistics.median(stops) * 1000:6.1f}"
        f" ms, max {max(stops) * 1000:6.1f} ms  ({rounds} rounds)"
    )


def _rate(label: str, app: Callable[..., Any], requests: int, certs: TestCertificates) -> None:
    with (
        LocalHTTPSServer(app, certificates=certs) as server,
        httpx.Client(verify=server.client_ssl_context()) as client,
    ):
        url = server.url + "/webhooks/ecwid"
        bodies = []
        for n in range(requests):
            payload = _payload(n)
            signature = sign(payload["eventCreated"], payload["eventId"], _SECRET)
            bodies.append((json.dumps(payload).encode(), signature))
        client.post(url, content=bodies[0][0], headers={"X-Ecwid-Webhook-Signature": "warm"})
        t0 = time.perf_counter()
        for body, signature in bodies:
            response = client.post(
                url, content=body, headers={"X-Ecwid-Webhook-Signature": signature}
            )
            assert response.status_code == 200, response.text
        elapsed = time.perf_counter() - t0
    print(f"{label:<34} {requests / elapsed:8.0f} requests/s ({requests} sequential, one client)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    t0 = time.perf_counter()
    certs = TestCertificates()
    print(f"TestCertificates(): {(time.perf_counter() - t0) * 1000:.1f} ms (CA + leaf)")
    _start_stop(_bare_asgi, args.rounds, certs)
    _start_stop(_bare_wsgi, args.rounds, certs)
    _rate("bare ASGI app (baseline)", _bare_asgi, args.requests, certs)
    _rate(
        "reference receiver (ASGI)", reference_receiver(client_secret=_SECRET), args.requests, certs
    )
    _rate("bare WSGI app (new connection each)", _bare_wsgi, args.requests, certs)
    certs.cleanup()


if __name__ == "__main__":
    main()
