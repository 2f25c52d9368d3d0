"""Mock store speed: seeding and in-process REST calls (issue: a mock Ecwid store).

Goals: seed 10,000 orders with their products and customers in < 2 s (Faker included, in a
fresh store); >= 1,000 in-process GET /orders/{id} calls per second through httpx.
In-run baselines: building 10,000 flat dicts of an order's size (the floor of any seeding),
and httpx.MockTransport answering a fixed JSON body (the floor of any in-process API).
Run: python benchmarks/bench_store.py
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from ecwid_mock import EcwidStore
from ecwid_mock._store.records import pools


def _seed_seconds(orders: int) -> float:
    pools._drawn.cache_clear()  # a fresh process: Faker's pools are drawn again
    start = time.perf_counter()
    store = EcwidStore(seed=1).seed(orders=orders, products=200, customers=orders // 3)
    elapsed = time.perf_counter() - start
    assert len(store.orders) == orders
    return elapsed


def _baseline_seconds(orders: int) -> float:
    start = time.perf_counter()
    made = [
        {**{f"field{k}": k * n for k in range(60)}, "items": [{"id": n, "price": 1.5}] * 2}
        for n in range(orders)
    ]
    elapsed = time.perf_counter() - start
    assert len(made) == orders
    return elapsed


def _get_rate(seconds: float = 1.5) -> tuple[float, float]:
    store = EcwidStore(seed=2, rate_limit=10**9).seed(orders=200)
    ids = list(store.orders)
    auth = {"Authorization": f"Bearer {store.token}"}
    body = json.dumps(next(iter(store.orders.values()))).encode()

    def rate(client: httpx.Client) -> float:
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            client.get(f"/orders/{ids[done % len(ids)]}")
            done += 1
        return done / (time.perf_counter() - start)

    with httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth) as http:
        store_rate = rate(http)
    fixed = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with httpx.Client(transport=fixed, base_url=store.base_url, headers=auth) as http:
        floor = rate(http)
    return store_rate, floor


def run() -> list[dict[str, Any]]:
    seeded = min(_seed_seconds(10_000) for _ in range(3))
    baseline = min(_baseline_seconds(10_000) for _ in range(3))
    store_rate, floor = _get_rate()
    return [
        {
            "name": "seed 10,000 orders (+200 products, 3,333 customers)",
            "value": seeded,
            "unit": "s",
            "baseline": baseline,
            "baseline_name": "10,000 flat order-sized dicts (s)",
            "ratio": seeded / baseline,
            "goal": "< 2 s",
            "ok": seeded < 2.0,
        },
        {
            "name": "GET /orders/{id} in-process (httpx)",
            "value": store_rate,
            "unit": "calls/s",
            "baseline": floor,
            "baseline_name": "httpx.MockTransport, fixed body (/s)",
            "ratio": store_rate / floor,
            "goal": ">= 1,000/s",
            "ok": store_rate >= 1_000,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
