"""Speed of the Locust integration (issue 15): signed events per second per Locust process.

All rows run against the same uvicorn receiver over HTTPS (bench_sender's), interleaved:

L1   one Locust process of the bundled locustfile, 10 users, >= 0.5x ``ecwid-mock send``
     at 10 concurrent (the one-process baseline).
L1s  ``ecwid-mock send`` beside ``wrk -t1 -c10`` at the same receiver (the ceiling; info).
L2   ``--processes 2`` x 10 users each, aggregate, vs the one process: goal >= 1.0x (it
     needs free cores: on 2 shared cores the receiver and the client already take both).
L2c  events per CPU-second of the two runs (start-up included; info): what an event costs
     does not depend on free cores.

Locust runs in subprocesses (its gevent patches never reach this process). Without Locust
(``pip install 'ecwid-mock[locust]'``) the rows print SKIP.

Run: python benchmarks/bench_locust.py [--quick] [--row L1]
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import Row, RowMaker, Series, Settings, Skip, interleave, main, ratio_at_least
from bench_sender import SECRET, _wrk, mixed_events, uvicorn_receiver

CONCURRENCY = 10


def _env(ca: Path) -> dict[str, str]:
    return {**os.environ, "ECWID_CLIENT_SECRET": SECRET, "ECWID_CACERT": str(ca)}


def _send_seconds(url: str, ca: Path, count: int) -> float:
    command = [
        sys.executable, "-m", "ecwid_mock", "send", "mixed", "--count", str(count),
        "--concurrency", str(CONCURRENCY), "--url", url, "--cacert", str(ca), "--seed", "1",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, env=_env(ca), capture_output=True, check=True, timeout=600)
    return time.perf_counter() - started


def _send_rate(url: str, ca: Path, count: int) -> Callable[[], float]:
    """A measure: ``ecwid-mock send mixed`` events/s, its start-up (a 1-event run) taken out."""
    start_up = min(_send_seconds(url, ca, 1) for _ in range(2))
    return lambda: count / max(_send_seconds(url, ca, count) - start_up, 1e-9)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _locust_rate(
    url: str, ca: Path, processes: int, seconds: int, per_cpu: list[float]
) -> Callable[[], float]:
    """A measure: attempts/s of a headless run of the bundled locustfile, from Locust's own
    timings; appends attempts per CPU-second of all its processes to ``per_cpu``."""
    root = Path(__file__).resolve().parent.parent
    locustfile = root / "ecwid_mock" / "locust" / "locustfile.py"
    users = CONCURRENCY * max(processes, 1)
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "--json",
        "--host", url, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--ecwid-seed", "1", "--only-summary",
    ]  # fmt: skip
    if processes:
        command += ["--processes", str(processes)]

    def measure() -> float:
        before = _cpu_of_children()
        result = subprocess.run(
            command, env=_env(ca), capture_output=True, text=True, timeout=seconds + 120
        )
        cpu = _cpu_of_children() - before
        entries = _post_entries(result.stdout)
        if not entries:
            raise RuntimeError(
                f"no Locust statistics (exit {result.returncode}): {result.stderr[-1500:]}"
            )
        requests = sum(e["num_requests"] for e in entries)
        span = max(e["last_request_timestamp"] for e in entries) - min(
            e["start_time"] for e in entries
        )
        per_cpu.append(requests / cpu)
        return float(requests / span)

    return measure


def _post_entries(text: str) -> list[dict[str, Any]]:
    """The POST statistics of the master's list (the one with the ledger entry): with
    ``--processes`` each worker prints its own list too."""
    decoder, text, entries = json.JSONDecoder(), text.strip(), []
    while text:
        document, end = decoder.raw_decode(text)
        text = text[end:].strip()
        if any(e.get("method") == "LEDGER" for e in document):
            entries = [e for e in document if e.get("method") == "POST"]
    return entries


def locust_rows(settings: Settings) -> list[Row]:
    """L1 Locust events/s per process vs ecwid-mock send"""
    if importlib.util.find_spec("locust") is None:
        raise Skip("locust not importable here (pip install 'ecwid-mock[locust]' to measure)")
    seconds = settings.pick(6, 4)
    count = settings.pick(15_000, 6_000)
    wrk = shutil.which("wrk")
    cpu_one: list[float] = []
    cpu_two: list[float] = []
    with uvicorn_receiver() as (url, ca):
        measures = {
            "send": _send_rate(url, ca, count),
            "one": _locust_rate(url, ca, 0, seconds, cpu_one),
            "two": _locust_rate(url, ca, 2, seconds, cpu_two),
        }
        if wrk:
            body = mixed_events(1)[0].body
            measures["wrk"] = _wrk(wrk, url, body, CONCURRENCY, settings.pick(3, 2))
        samples = interleave(measures, settings.rounds, warm_up=False)
    unit = "events/s"
    send = Series(f"ecwid-mock send mixed, {CONCURRENCY} concurrent", unit, samples["send"])
    one = Series(f"Locust, 1 process x {CONCURRENCY} users", unit, samples["one"])
    two = Series(f"Locust, --processes 2 x {CONCURRENCY} users, aggregate", unit, samples["two"])
    cores = f"{os.cpu_count()} cores shared by the receiver (1 uvicorn worker) and the client"
    return [
        Row("L1", one, send, ratio_at_least(0.5),
            note=f"Locust's own timings, start-up excluded; send's start-up taken out; {cores}"),
        Row("L1s", send, Series(f"wrk -t1 -c{CONCURRENCY}, same receiver", "req/s",
                                samples["wrk"]) if wrk else None,
            note="" if wrk else "wrk not installed (apt-get install -y wrk): no ceiling"),
        Row("L2", two, one, ratio_at_least(1.0), title="Locust --processes 2 vs 1 process",
            note=f"grows only with free cores; {cores}"),
        Row("L2c", Series("Locust --processes 2, events per CPU-second (master included)",
                          "events/cpu-s", tuple(cpu_two)),
            Series("1 process", "events/cpu-s", tuple(cpu_one)),
            note="CPU of every Locust process, start-up included"),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"L1": locust_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
