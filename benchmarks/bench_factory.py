"""Event generator speed and memory (issue: realistic signed events).

Goals: >= 50,000 events/s built, validated (strict), serialised and signed on one core, all
types mixed; EventFactory() cheap to construct; stream() of a million events in flat memory.
The in-run baseline is a bare loop of json.dumps() and sign() on a fixed payload: the floor
cost of any generator that serialises and signs.
Run: python benchmarks/bench_factory.py [--events N]   (N for the memory run, default 1,000,000)
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from typing import Any

from ecwid_mock import EventFactory, sign

_SECRET = "bench-secret"

_MEMORY_CHILD = """
import resource, sys
from ecwid_mock import EventFactory

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

n = int(sys.argv[1])
stream = EventFactory(seed=1).stream(n)
checkpoint = n // 10
at_checkpoint = None
for i, event in enumerate(stream, 1):
    if i == checkpoint:
        at_checkpoint = rss_mb()
print(at_checkpoint, rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _rate(step: Any, seconds: float = 2.0) -> float:
    """Calls of ``step`` (each producing ``step()`` events) per second, over ``seconds``."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += step()
    return done / (time.perf_counter() - start)


def _baseline_rate() -> float:
    payload = {
        "eventId": "3f1c2a9e-7b4d-4e21-9a0b-5c6d7e8f9012",
        "eventCreated": 1725434529,
        "storeId": 61882411,
        "entityId": 516483487,
        "eventType": "order.updated",
        "data": {
            "orderId": "K8XTQ",
            "oldPaymentStatus": "PAID",
            "newPaymentStatus": "PAID",
            "oldFulfillmentStatus": "PROCESSING",
            "newFulfillmentStatus": "SHIPPED",
        },
    }

    def step() -> int:
        for _ in range(1000):
            json.dumps(payload, separators=(",", ":")).encode()
            sign(payload["eventCreated"], payload["eventId"], _SECRET)
        return 1000

    return _rate(step)


def _stream_rate(*, validate: bool) -> float:
    stream = EventFactory(seed=1, client_secret=_SECRET).stream(validate=validate)
    next(stream)  # plans and validators are built on first use, not measured

    def step() -> int:
        for _ in itertools.islice(stream, 1000):
            pass
        return 1000

    return _rate(step)


def _build_rate() -> float:
    factory = EventFactory(seed=1, client_secret=_SECRET)
    factory.build("order.updated")

    def step() -> int:
        for _ in range(1000):
            factory.build("order.updated")
        return 1000

    return _rate(step)


def _construction_us() -> float:
    seeds = itertools.count()

    def step() -> int:
        for _ in range(100):
            EventFactory(seed=next(seeds))
        return 100

    return 1e6 / _rate(step, 1.0)


def _first_email_ms() -> float:
    times = []
    for seed in range(5):
        factory = EventFactory(seed=seed)
        start = time.perf_counter()
        factory.build("customer.created")
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def _memory(events: int) -> tuple[float, float, float] | None:
    if not sys.platform.startswith("linux"):
        return None
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(events)],
        check=True,
        capture_output=True,
        text=True,
    )
    early, late, peak = (float(x) for x in result.stdout.split())
    return early, late, peak


def run(events: int = 1_000_000) -> list[dict[str, Any]]:
    baseline = _baseline_rate()
    mixed = _stream_rate(validate=True)
    unchecked = _stream_rate(validate=False)
    built = _build_rate()
    rows: list[dict[str, Any]] = [
        {
            "name": "stream(): build+validate+serialise+sign, mixed",
            "value": mixed,
            "unit": "events/s",
            "baseline": baseline,
            "baseline_name": "bare json.dumps+sign loop (/s)",
            "ratio": mixed / baseline,
            "goal": ">= 50,000/s",
            "ok": mixed >= 50_000,
        },
        {
            "name": "stream(validate=False), mixed",
            "value": unchecked,
            "unit": "events/s",
            "baseline": baseline,
            "baseline_name": "bare json.dumps+sign loop (/s)",
            "ratio": unchecked / baseline,
            "goal": "(validation cost)",
            "ok": True,
        },
        {
            "name": "build('order.updated') one by one",
            "value": built,
            "unit": "events/s",
            "baseline": baseline,
            "baseline_name": "bare json.dumps+sign loop (/s)",
            "ratio": built / baseline,
            "goal": ">= 50,000/s",
            "ok": built >= 50_000,
        },
    ]
    construct = _construction_us()
    rows.append(
        {
            "name": "EventFactory() construction",
            "value": construct,
            "unit": "us",
            "baseline": 1e6 / baseline,
            "baseline_name": "one bare json.dumps+sign (us)",
            "ratio": construct / (1e6 / baseline),
            "goal": "<= 100 us (Faker is lazy)",
            "ok": construct <= 100,
        }
    )
    email = _first_email_ms()
    rows.append(
        {
            "name": "first customer event (Faker + 256 emails)",
            "value": email,
            "unit": "ms, once per factory",
            "baseline": 1e3 / mixed,
            "baseline_name": "one mixed event (ms)",
            "ratio": email / (1e3 / mixed),
            "goal": "<= 100 ms, once",
            "ok": email <= 100,
        }
    )
    memory = _memory(events)
    if memory is not None:
        early, late, peak = memory
        rows.append(
            {
                "name": f"stream() of {events:,} events: RSS growth",
                "value": late - early,
                "unit": f"MB after {events // 10:,}",
                "baseline": early,
                "baseline_name": f"RSS after {events // 10:,} events (MB)",
                "ratio": late / early,
                "goal": "flat: <= 5 MB",
                "ok": late - early <= 5,
            }
        )
        rows.append(
            {
                "name": f"stream() of {events:,} events: peak RSS",
                "value": peak,
                "unit": "MB",
                "baseline": early,
                "baseline_name": f"RSS after {events // 10:,} events (MB)",
                "ratio": peak / early,
                "goal": "(reported)",
                "ok": True,
            }
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the memory run")
    options = parser.parse_args()
    for row in run(events=options.events):
        print(
            f"{row['name']:<48} {row['value']:>12,.1f} {row['unit']:<22} "
            f"baseline {row['baseline']:>10,.1f} ({row['baseline_name']})  "
            f"ratio {row['ratio']:.2f}  goal {row['goal']}  {'OK' if row['ok'] else 'MISSED'}"
        )
