"""pytest plugin costs: start-up when installed but unused, and in-process delivery rate.

Goals: start-up at most 15 ms above `-p no:ecwid`; in-process delivery through the `ecwid`
fixture's object at least 0.7x a bare httpx ASGITransport loop, in the same run.
Run: python benchmarks/bench_plugin.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A minimal receiver: read the body, answer 200."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _startup(extra: list[str], env: dict[str, str], cwd: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def startup_rows(runs: int = 21) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "test_a.py").write_text("def test_a():\n    pass\n")
        Path(tmp, "pytest.ini").write_text("[pytest]\n")
        for label, autoload in (("only this plugin", "1"), ("all installed plugins", "")):
            env = dict(os.environ)
            env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            with_plugin = ["-p", "pytest_ecwid.plugin"] if autoload else []
            if autoload:
                env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            on: list[float] = []
            off: list[float] = []
            for _ in range(runs):  # interleaved, so drift hits both alike
                on += _startup(with_plugin, env, tmp, 1)
                off += _startup([] if autoload else ["-p", "no:ecwid"], env, tmp, 1)
            extra = statistics.median(on) - statistics.median(off)
            rows.append(
                {
                    "name": f"pytest start-up, plugin unused ({label})",
                    "value": extra,
                    "unit": "ms above -p no:ecwid",
                    "baseline": statistics.median(off),
                    "baseline_name": "start-up without the plugin (ms)",
                    "ratio": statistics.median(on) / statistics.median(off),
                    "goal": "<= 15 ms",
                    "ok": extra <= 15,
                }
            )
    return rows


def delivery_rows(count: int = 3000) -> list[dict[str, Any]]:
    import httpx

    from ecwid_mock import EventFactory, MockEcwid, VirtualClock

    clock = VirtualClock()
    factory = EventFactory(seed=1, client_secret="bench", clock=clock)
    events = [factory.build("order.created") for _ in range(200)]

    async def bare() -> float:
        transport = httpx.ASGITransport(app=_app)
        async with httpx.AsyncClient(transport=transport, base_url="https://receiver.test") as c:
            start = time.perf_counter()
            for i in range(count):
                event = events[i % len(events)]
                await c.post("/webhooks/ecwid", content=event.body, headers=event.headers)
            return count / (time.perf_counter() - start)

    baseline = asyncio.run(bare())
    mock = MockEcwid.for_app(_app, factory=factory, clock=clock, client_secret="bench")
    mock.send(events[0])
    start = time.perf_counter()
    for i in range(count):
        mock.send(events[i % len(events)])
    rate = count / (time.perf_counter() - start)
    mock.close()

    async def via_async() -> float:
        amock = MockEcwid.for_app(_app, factory=factory, clock=clock, client_secret="bench")
        await amock.asend(events[0])
        start = time.perf_counter()
        for i in range(count):
            await amock.asend(events[i % len(events)])
        result = count / (time.perf_counter() - start)
        await amock.aclose()
        return result

    arate = asyncio.run(via_async())
    return [
        {
            "name": f"in-process delivery via the ecwid fixture ({label})",
            "value": value,
            "unit": "deliveries/s",
            "baseline": baseline,
            "baseline_name": "bare httpx ASGITransport loop (/s)",
            "ratio": value / baseline,
            "goal": ">= 0.7x baseline",
            "ok": value / baseline >= 0.7,
        }
        for label, value in (("ecwid.send", rate), ("await ecwid.asend", arate))
    ]


def run() -> list[dict[str, Any]]:
    return delivery_rows() + startup_rows()


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['name']:<58} {row['value']:>10,.1f} {row['unit']:<22} "
            f"baseline {row['baseline']:>9,.1f} ({row['baseline_name']})  "
            f"ratio {row['ratio']:.2f}  goal {row['goal']}  {'OK' if row['ok'] else 'MISSED'}"
        )
