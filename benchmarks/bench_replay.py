"""Capture, scrub and replay costs (issue 16: real traffic in tests); informational rows.

No goal was set: the rows say what capturing adds to a delivery and how fast a cassette is
scrubbed and replayed, each beside the floor of the same work.

R1  CaptureMiddleware (judge + scrub + write a line) per delivery, anchored on the same
    ASGI app called without it; the excess is what capture costs.
R2  Scrubber.scrub of mixed event types, anchored on json.loads + json.dumps of the same
    bodies (a scrub parses and writes each body once).
R3  replay_events (shift_time, new_ids) of the same records, anchored on the same floor.

Run: python benchmarks/bench_replay.py [--quick] [--row R1]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _harness import Row, RowMaker, Settings, compare, main, rate

KEY = "bench-key"


async def _app(scope: Any, receive: Any, send: Any) -> None:
    """The smallest receiver: read the body, answer 200."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _bodies(count: int) -> list[bytes]:
    from ecwid_mock import EventFactory

    return [event.body for event in EventFactory(seed=1).stream(count)]


def _microseconds_per_call(app: Any, bodies: Sequence[bytes]) -> Callable[[], float]:
    """A measure: microseconds per ASGI call of ``app``, one POST per body, in turn."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }

    async def send(message: Any) -> None:
        return None

    async def drive() -> float:
        started = time.perf_counter()
        for body in bodies:
            messages = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive(messages: list[Any] = messages) -> Any:
                return messages.pop() if messages else {"type": "http.disconnect"}

            await app(dict(scope), receive, send)
        return (time.perf_counter() - started) / len(bodies) * 1e6

    return lambda: asyncio.run(drive())


def capture_rows(settings: Settings) -> list[Row]:
    """R1 CaptureMiddleware per delivery vs the bare app"""
    from ecwid_mock import CaptureMiddleware, Cassette, Scrubber

    bodies = _bodies(settings.pick(2_000, 500))
    with tempfile.TemporaryDirectory(prefix="ecwid-bench-") as folder:
        path = Path(folder) / "bench.jsonl"
        captured = CaptureMiddleware(_app, path, scrubber=Scrubber(KEY))
        row = compare(
            "R1",
            ("CaptureMiddleware per delivery (judge + scrub + write)", "us",
             _microseconds_per_call(captured, bodies)),
            ("the same ASGI app without capture", "us", _microseconds_per_call(_app, bodies)),
            settings.rounds,
            note="in-process ASGI calls, no HTTP; mixed event types",
        )  # fmt: skip
        recorded = len(Cassette.load(path))
    expected = len(bodies) * (settings.rounds + 1)  # the warm-up round records too
    if recorded != expected:
        raise RuntimeError(f"{recorded} deliveries recorded, expected {expected}")
    return [row]


def _json_floor(bodies: Sequence[bytes]) -> Callable[[], float]:
    """A measure: bodies/s of json.loads + json.dumps, the floor of rewriting a body."""

    def work() -> int:
        for body in bodies:
            json.dumps(json.loads(body)).encode()
        return len(bodies)

    return lambda: rate(work)


def scrub_rows(settings: Settings) -> list[Row]:
    """R2 Scrubber.scrub records/s"""
    from ecwid_mock import Interaction, Scrubber

    bodies = _bodies(settings.pick(2_000, 500))
    records = [Interaction(body=body) for body in bodies]
    scrubber = Scrubber(KEY)

    def work() -> int:
        for record in records:
            scrubber.scrub(record)
        return len(records)

    return [
        compare("R2", ("Scrubber.scrub, mixed event types", "records/s", lambda: rate(work)),
                ("json.loads + json.dumps of the same bodies", "records/s", _json_floor(bodies)),
                settings.rounds)
    ]  # fmt: skip


def replay_rows(settings: Settings) -> list[Row]:
    """R3 replay_events events/s"""
    from ecwid_mock import Interaction, replay_events

    bodies = _bodies(settings.pick(2_000, 500))
    records = [Interaction(body=body) for body in bodies]

    def work() -> int:
        replayed = replay_events(records, secret="bench-secret", new_ids=True)
        if json.loads(replayed[0].body)["eventId"] != replayed[0].event_id:
            raise RuntimeError("a replayed event's body and eventId disagree")
        return len(replayed)

    return [
        compare("R3", ("replay_events, shift_time and new_ids", "events/s", lambda: rate(work)),
                ("json.loads + json.dumps of the same bodies", "events/s", _json_floor(bodies)),
                settings.rounds)
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"R1": capture_rows, "R2": scrub_rows, "R3": replay_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
