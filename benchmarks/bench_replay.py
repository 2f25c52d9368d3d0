"""Capture, scrub and replay costs (issue: real traffic in tests).

No goal was set: the figures say what capturing adds to a delivery and how fast a cassette is
scrubbed and replayed. The baseline of capture is the same ASGI app called without it.
Run: python benchmarks/bench_replay.py
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ecwid_mock import (
    CaptureMiddleware,
    Cassette,
    EventFactory,
    Interaction,
    Scrubber,
    replay_events,
)


async def _app(scope: Any, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _per_request(app: Any, bodies: list[bytes]) -> float:
    async def send(message: Any) -> None:
        return None

    async def drive() -> float:
        started = time.perf_counter()
        for body in bodies:
            messages = [{"type": "http.request", "body": body, "more_body": False}]
            receive: Any = _receiver(messages)
            scope = {
                "type": "http",
                "method": "POST",
                "path": "/",
                "query_string": b"",
                "headers": [(b"content-type", b"application/json")],
            }
            await app(scope, receive, send)
        return (time.perf_counter() - started) / len(bodies)

    return asyncio.run(drive())


def _receiver(messages: list[dict[str, Any]]) -> Any:
    async def receive() -> Any:
        return messages.pop() if messages else {"type": "http.disconnect"}

    return receive


def run() -> list[dict[str, Any]]:
    factory = EventFactory(seed=1)
    events = list(factory.stream(2_000))
    bodies = [e.body for e in events]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl"
        captured = CaptureMiddleware(_app, path, scrubber=Scrubber("bench-key"))
        _per_request(captured, bodies[:50])  # warm up: validators, Faker
        bare = _per_request(_app, bodies)
        with_capture = _per_request(captured, bodies)
        recorded = len(Cassette.load(path))
    scrubber = Scrubber("bench-key")
    records = [Interaction(body=b) for b in bodies]
    started = time.perf_counter()
    for record in records:
        scrubber.scrub(record)
    scrub_rate = len(records) / (time.perf_counter() - started)
    started = time.perf_counter()
    replayed = replay_events(records, secret="s", new_ids=True)
    replay_rate = len(replayed) / (time.perf_counter() - started)
    assert recorded >= len(bodies), recorded
    assert json.loads(replayed[0].body)["eventId"] == replayed[0].event_id
    return [
        {
            "name": "CaptureMiddleware, per delivery (judge + scrub + write)",
            "value": with_capture * 1e6,
            "unit": "µs",
            "baseline": bare * 1e6,
            "baseline_name": "the same ASGI app without capture",
            "ratio": with_capture / bare,
            "goal": None,
            "ok": True,
        },
        {
            "name": "Scrubber.scrub, mixed event types",
            "value": scrub_rate,
            "unit": "records/s",
            "baseline": None,
            "baseline_name": "",
            "ratio": None,
            "goal": None,
            "ok": True,
        },
        {
            "name": "replay_events, shift_time and new_ids",
            "value": replay_rate,
            "unit": "events/s",
            "baseline": None,
            "baseline_name": "",
            "ratio": None,
            "goal": None,
            "ok": True,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['name']}: {row['value']:,.1f} {row['unit']}"
            + (
                f" (baseline {row['baseline']:,.1f}, x{row['ratio']:.1f})"
                if row["baseline"]
                else ""
            )
        )
