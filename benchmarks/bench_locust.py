"""Speed of the Locust integration: signed events per second per Locust process.

Rows, all against the same uvicorn receiver over HTTPS in one run: ``ecwid-mock send`` (the
one-process baseline, 10 concurrent), ``wrk`` (raw HTTP, the ceiling), one Locust process of
the bundled locustfile (10 users; goal: at least 0.5x ``ecwid-mock send``), and two Locust
worker processes (``--processes 2``, 10 users each; goal: more in aggregate than one, which
needs free cores: on a 2-core machine the receiver takes one), and events per CPU-second of
each Locust run. Locust runs as a subprocess, so this process never imports it.

    python benchmarks/bench_locust.py            # needs ecwid-mock[locust]; ~1 min
    python benchmarks/bench_locust.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_sender import SECRET, _ensure_wrk, row, uvicorn_receiver, wrk_rate

from ecwid_mock import TestCertificates

SECONDS = 6
SEND_COUNT = 15_000


def _env(ca: Path) -> dict[str, str]:
    return {**os.environ, "ECWID_CLIENT_SECRET": SECRET, "ECWID_CACERT": str(ca)}


def send_rate(url: str, ca: Path, count: int = SEND_COUNT) -> float:
    """``ecwid-mock send mixed`` events/s, its start-up (a 1-event run) taken out."""

    def wall(n: int) -> float:
        command = [
            sys.executable, "-m", "ecwid_mock", "send", "mixed", "--count", str(n),
            "--concurrency", "10", "--url", url, "--cacert", str(ca), "--seed", "1",
        ]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, env=_env(ca), capture_output=True, check=True, timeout=300)
        return time.perf_counter() - started

    startup = min(wall(1) for _ in range(2))
    return count / max(wall(count) - startup, 1e-9)


def locust_rate(
    url: str, ca: Path, processes: int, users_per_process: int = 10
) -> tuple[float, float]:
    """Attempts/s of a headless run of the bundled locustfile, from Locust's own timings, and
    attempts per CPU-second of all its processes (master and workers)."""
    locustfile = Path(__file__).resolve().parent.parent / "ecwid_mock" / "locust" / "locustfile.py"
    users = users_per_process * max(processes, 1)
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "--json",
        "--host", url, "-u", str(users), "-r", str(users), "-t", f"{SECONDS}s",
        "--ecwid-seed", "1", "--only-summary",
    ]  # fmt: skip
    if processes:
        command += ["--processes", str(processes)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        command, env=_env(ca), capture_output=True, text=True, timeout=SECONDS + 120
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    decoder, text, entries = json.JSONDecoder(), result.stdout.strip(), []
    while text:  # with --processes each worker prints its own list too, without the ledger
        document, end = decoder.raw_decode(text)
        text = text[end:].strip()
        if any(e.get("method") == "LEDGER" for e in document):
            entries = [e for e in document if e.get("method") == "POST"]
    if not entries:
        raise RuntimeError(
            f"no Locust statistics (exit {result.returncode}): {result.stderr[-2000:]}"
        )
    requests = sum(e["num_requests"] for e in entries)
    span = max(e["last_request_timestamp"] for e in entries) - min(e["start_time"] for e in entries)
    return requests / span, requests / cpu


def run() -> list[dict[str, Any]]:
    certificates = TestCertificates()
    wrk = _ensure_wrk()
    try:
        with uvicorn_receiver(certificates, workers=2) as url:
            ca = certificates.ca_pem_path
            send = max(send_rate(url, ca) for _ in range(2))
            one, one_cpu = max(locust_rate(url, ca, processes=0) for _ in range(2))
            two, two_cpu = max(locust_rate(url, ca, processes=2) for _ in range(2))
            ceiling = wrk_rate(wrk, url, 10, seconds=3) if wrk else None
    finally:
        certificates.cleanup()
    return [
        row("ecwid-mock send, 10 concurrent, events/s", send, "events/s", baseline=ceiling),
        row(
            "Locust, 1 process x 10 users, events/s vs ecwid-mock send",
            one,
            "events/s",
            baseline=send,
            goal=">= 0.5x",
        )
        | {"ok": one >= 0.5 * send},
        row(
            "Locust, --processes 2 x 10 users, aggregate events/s vs 1 process",
            two,
            "events/s",
            baseline=one,
            goal="> 1.0x",
        )
        | {"ok": two > one},
        row("wrk, 10 connections, requests/s (the ceiling)", ceiling or 0.0, "req/s"),
        # Whether 2 processes can beat 1 depends on free cores; the cost per event does not.
        row(
            "Locust, 1 process, events per CPU-second (start-up included)", one_cpu, "events/cpu-s"
        ),
        row(
            "Locust, --processes 2, events per CPU-second (master included)",
            two_cpu,
            "events/cpu-s",
            baseline=one_cpu,
        ),
        row("CPU cores of this machine", float(os.cpu_count() or 0), "cores"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(f"{r['name']}: {r['value']:,.0f} {r['unit']}", end="")
            if r.get("ratio") is not None:
                print(f" ({r['ratio']:.2f}x)", end="")
            print(f"  goal {r['goal']}: {'ok' if r.get('ok') else 'MISSED'}" if r["goal"] else "")
    return 0 if all(r.get("ok", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
