"""The mock Ecwid store's speed and memory (issue 14), each against the floor of the same work.

S-GET1   GET /api/v3/{storeId}/orders/{id} in-process through ``store.async_transport()``
         (S-GET1b: the sync ``store.transport()``) >= 0.7x a bare Starlette endpoint answering
         a fixed order-sized JSON dict through ``httpx.ASGITransport``.
S-GET2   the same GET over local HTTPS (``store.serve_https()``) >= 0.7x the same bare
         Starlette endpoint behind the same TLS server (``LocalHTTPSServer``).
S-SEED   seeding 10,000 orders (+200 products, 3,333 customers) in a fresh interpreter,
         Faker included, < 2 s; anchor: building 10,000 flat order-sized dicts there.
S-RSS    seeding 100,000 orders: peak RSS <= 400 MB, read by /usr/bin/time -v around a fresh
         interpreter; anchor: the same with 10,000.

Run: python benchmarks/bench_store.py [--quick] [--row S-GET1]
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _harness import (
    Row,
    RowMaker,
    Series,
    Settings,
    compare,
    fresh_python,
    interleave,
    main,
    peak_rss_mb,
    ratio_at_least,
    value_at_most,
    value_below,
)


def _store(orders: int) -> Any:
    from ecwid_mock import EcwidStore

    return EcwidStore(seed=2, rate_limit=10**9).seed(orders=orders)


def _bare_app(order: dict[str, Any]) -> Any:
    """A bare Starlette app answering ``order`` (fixed) at the store's order route."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def get_order(request: Request) -> JSONResponse:
        return JSONResponse(order)

    return Starlette(routes=[Route("/api/v3/{store_id:int}/orders/{order_id}", get_order)])


def _paths(store: Any, count: int) -> list[str]:
    ids = list(store.orders)
    return [f"/orders/{ids[n % len(ids)]}" for n in range(count)]


def _check(response: Any) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"GET {response.request.url.path} answered {response.status_code}")


def _async_rate(transport: Any, base_url: str, auth: dict[str, str], paths: Sequence[str]) -> float:
    import httpx

    async def once() -> float:
        async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=auth) as http:
            _check(await http.get(paths[0]))
            started = time.perf_counter()
            for path in paths:
                _check(await http.get(path))
            return len(paths) / (time.perf_counter() - started)

    return asyncio.run(once())


def _sync_rate(client: Any, paths: Sequence[str]) -> float:
    _check(client.get(paths[0]))
    started = time.perf_counter()
    for path in paths:
        _check(client.get(path))
    return len(paths) / (time.perf_counter() - started)


def in_process_rows(settings: Settings) -> list[Row]:
    """S-GET1 GET /orders/{id} in-process vs a bare Starlette endpoint"""
    import httpx

    store = _store(200)
    paths = _paths(store, settings.pick(1_000, 500))
    auth = {"Authorization": f"Bearer {store.token}"}
    bare = _bare_app(next(iter(store.orders.values())))
    unit = "calls/s"

    def ours_async() -> float:
        return _async_rate(store.async_transport(), store.base_url, auth, paths)

    def ours_sync() -> float:
        with httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth) as c:
            return _sync_rate(c, paths)

    def anchor() -> float:
        return _async_rate(httpx.ASGITransport(app=bare), store.base_url, auth, paths)

    size = len(json.dumps(next(iter(store.orders.values()))))
    # short rounds, many of them: each round's three figures see the same second of the machine
    rounds = settings.pick(21, 5)
    samples = interleave({"async": ours_async, "sync": ours_sync, "bare": anchor}, rounds)
    floor = Series("bare Starlette JSONResponse via httpx.ASGITransport", unit, samples["bare"])
    note = f"sequential; the bare app answers one fixed order of {size:,} bytes of JSON"
    return [
        Row("S-GET1", Series("EcwidStore.async_transport(), httpx.AsyncClient", unit,
                             samples["async"]), floor, ratio_at_least(0.7), note=note),
        Row("S-GET1b", Series("EcwidStore.transport(), httpx.Client (sync)", unit,
                              samples["sync"]), floor, ratio_at_least(0.7), note=note),
    ]  # fmt: skip


def https_rows(settings: Settings) -> list[Row]:
    """S-GET2 GET /orders/{id} over local HTTPS vs a bare Starlette endpoint"""
    import httpx

    from ecwid_mock import LocalHTTPSServer

    store = _store(200)
    paths = _paths(store, settings.pick(1_000, 300))
    auth = {"Authorization": f"Bearer {store.token}"}
    bare = LocalHTTPSServer(_bare_app(next(iter(store.orders.values()))), kind="asgi")
    try:
        bare.start()
        bare_url = f"{bare.url}/api/v3/{store.store_id}"
        ours_context = ssl.create_default_context(cafile=store.cacert)
        bare_context = bare.client_ssl_context()

        def over_https(base_url: str, context: ssl.SSLContext) -> Callable[[], float]:
            def measure() -> float:
                with httpx.Client(base_url=base_url, verify=context, headers=auth) as client:
                    return _sync_rate(client, paths)

            return measure

        unit = "calls/s"
        return [
            compare("S-GET2", ("EcwidStore.serve_https(), httpx.Client, keep-alive", unit,
                               over_https(store.api_url, ours_context)),
                    ("bare Starlette JSONResponse, same TLS server (LocalHTTPSServer)", unit,
                     over_https(bare_url, bare_context)),
                    settings.rounds, ratio_at_least(0.7),
                    note="sequential, one connection; server threads share this process")
        ]  # fmt: skip
    finally:
        bare.stop()
        bare.certificates.cleanup()
        store.close()


_SEED_CHILD = """
import sys, time
orders = int(sys.argv[1])
if sys.argv[2] == "store":
    from ecwid_mock import EcwidStore
    started = time.perf_counter()
    store = EcwidStore(seed=1).seed(orders=orders, products=200, customers=orders // 3)
    elapsed = time.perf_counter() - started
    assert len(store.orders) == orders
else:
    started = time.perf_counter()
    made = [
        {**{f"field{k}": k * n for k in range(60)}, "items": [{"id": n, "price": 1.5}] * 2}
        for n in range(orders)
    ]
    elapsed = time.perf_counter() - started
    assert len(made) == orders
print(elapsed)
"""


def seed_rows(settings: Settings) -> list[Row]:
    """S-SEED seeding 10,000 orders with their products and customers"""
    orders = str(10_000)

    def seconds(kind: str) -> Callable[[], float]:
        return lambda: float(fresh_python(_SEED_CHILD, orders, kind))

    return [
        compare("S-SEED", ("EcwidStore(seed=1).seed(orders=10,000, products=200, "
                           "customers=3,333), Faker included", "s", seconds("store")),
                ("10,000 flat order-sized dicts", "s", seconds("dicts")),
                settings.pick(5, 3), value_below(2, "s"), warm_up=False,
                note="each round a fresh interpreter (Faker's pools drawn again); "
                     "imports of ecwid_mock itself not counted")
    ]  # fmt: skip


def memory_rows(settings: Settings) -> list[Row]:
    """S-RSS seeding 100,000 orders: peak RSS"""
    count = 100_000

    def command(orders: int) -> Sequence[str]:
        return [sys.executable, "-c", _SEED_CHILD, str(orders), "store"]

    small, _, _ = peak_rss_mb(command(count // 10))
    large, seconds, printed = peak_rss_mb(command(count))
    return [
        Row("S-RSS", Series(f"seed {count:,} orders (+200 products, {count // 3:,} customers): "
                            "peak RSS", "MB", (large,)),
            Series(f"the same with {count // 10:,}", "MB", (small,)), value_at_most(400, "MB"),
            note=f"fresh interpreter under /usr/bin/time -v; seeding took {float(printed):.1f} s "
                 f"({seconds:.1f} s with start-up)")
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {
    "S-GET1": in_process_rows,
    "S-GET2": https_rows,
    "S-SEED": seed_rows,
    "S-RSS": memory_rows,
}

if __name__ == "__main__":
    sys.exit(main(ROWS))
