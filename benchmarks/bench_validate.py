"""Validation throughput and the cost of `import ecwid_mock` (issue: schemas and validation).

Goals: >= 50,000 validations/s on one core; parse_event as fast as validate_event (issue: typed
events); `import ecwid_mock` <= 30 ms above bare Python.
Run: python benchmarks/bench_validate.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

import ecwid_mock
from ecwid_mock._schemas import catalog as _catalog


def _rate(func: Any, items: list[Any], seconds: float = 1.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            func(item)
        done += len(items)
    return done / (time.perf_counter() - start)


def _startup(code: str, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run() -> list[dict[str, Any]]:
    payloads = [_catalog.schema_for(t)["examples"][0] for t in _catalog.all_event_types()]
    bodies = [json.dumps(p).encode() for p in payloads]
    ecwid_mock.validate_event(payloads[0])  # build validators outside the timing
    for p in payloads:
        ecwid_mock.validate_event(p)

    from jsonschema import Draft202012Validator

    reference = {
        p["eventType"]: Draft202012Validator(_catalog.schema_for(p["eventType"])) for p in payloads
    }
    baseline = _rate(lambda p: reference[p["eventType"]].is_valid(p), payloads)
    dicts = _rate(ecwid_mock.validate_event, payloads)
    raw = _rate(ecwid_mock.validate_event, bodies)
    # parse_event against validate_event in the same run, called the same way, in alternating
    # short windows (best of each), so a busy machine slows both alike.
    typed_bodies = [(body, p["eventType"]) for body, p in zip(bodies, payloads)]
    validated = parsed = 0.0
    for _ in range(10):
        validated = max(
            validated, _rate(lambda i: ecwid_mock.validate_event(i[0]), typed_bodies, 0.1)
        )
        parsed = max(parsed, _rate(lambda i: ecwid_mock.parse_event(i[0], i[1]), typed_bodies, 0.1))

    bare = _startup("pass")
    imported = _startup("import ecwid_mock")
    return [
        {
            "name": "validate_event(dict), all types mixed",
            "value": dicts,
            "unit": "validations/s",
            "baseline": baseline,
            "baseline_name": "reused jsonschema validator",
            "ratio": dicts / baseline,
            "goal": ">= 50,000/s",
            "ok": dicts >= 50_000,
        },
        {
            "name": "validate_event(body bytes), all types mixed",
            "value": raw,
            "unit": "validations/s",
            "baseline": baseline,
            "baseline_name": "reused jsonschema validator",
            "ratio": raw / baseline,
            "goal": ">= 50,000/s",
            "ok": raw >= 50_000,
        },
        {
            "name": "parse_event(body, event_type), all types mixed",
            "value": parsed,
            "unit": "parses/s",
            "baseline": validated,
            "baseline_name": "validate_event(body), same run",
            "ratio": parsed / validated,
            "goal": ">= 0.95 x validate_event",
            "ok": parsed >= 0.95 * validated,
        },
        {
            "name": "import ecwid_mock (median of 15)",
            "value": imported - bare,
            "unit": "ms above bare python",
            "baseline": bare,
            "baseline_name": "python -c pass (ms)",
            "ratio": imported / bare,
            "goal": "<= 30 ms",
            "ok": imported - bare <= 30,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['name']:<48} {row['value']:>12,.1f} {row['unit']:<22} "
            f"baseline {row['baseline']:>10,.1f} ({row['baseline_name']})  "
            f"ratio {row['ratio']:.2f}  goal {row['goal']}  {'OK' if row['ok'] else 'MISSED'}"
        )
