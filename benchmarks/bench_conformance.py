"""A full in-process conformance run over the 42 types at the default settle (0.5 s) must take
at most 1.0 s: the settle windows of the scenarios that watch for late effects overlap.

Measured beside the settle window itself (the floor: one window must pass) in the same run,
with the correct test receiver and its per-eventId observation hook.
Run: python benchmarks/bench_conformance.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import inspect

from ecwid_mock.conformance import ConformanceSuite, run_conformance
from tests.receivers import _base

DEFAULT_SETTLE: float = inspect.signature(ConformanceSuite).parameters["settle"].default


def _once() -> float:
    app = _base.Receiver()
    start = time.perf_counter()
    run_conformance(
        app=app,
        client_secret=_base.CLIENT_SECRET,
        observe=app.observe,
        access_token=_base.ACCESS_TOKEN,
    )
    return time.perf_counter() - start


def run(runs: int = 5) -> list[dict[str, Any]]:
    times = [_once() for _ in range(runs)]
    value = statistics.median(times)
    return [
        {
            "name": f"conformance, 42 types, in-process, settle {DEFAULT_SETTLE:g} s (median of "
            f"{runs})",
            "value": value,
            "unit": "s",
            "baseline": DEFAULT_SETTLE,
            "baseline_name": "one settle window (s)",
            "ratio": value / DEFAULT_SETTLE,
            "goal": "<= 1.0 s",
            "ok": value <= 1.0,
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['name']:<60} {row['value']:>6.2f} {row['unit']}  baseline "
            f"{row['baseline']:.2f} ({row['baseline_name']})  ratio {row['ratio']:.2f}  "
            f"goal {row['goal']}"
        )
