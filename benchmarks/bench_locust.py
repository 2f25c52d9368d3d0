"""Speed of the Locust integration (issue 15): signed events per second per Locust process.

All rows run against the light HTTPS receiver (``_light_receiver``: uvloop's TLS and llhttp,
``200`` for every complete request, no ASGI, no signature check), so the receiver costs a
fraction of what a Locust process spends per event and the rows measure the client side.
Rounds are interleaved, and the order within a round flips from one round to the next.

L1   one Locust process of the bundled locustfile, 10 users, >= 0.5x ``ecwid-mock send``
     at 10 concurrent (the one-process baseline).
L1s  ``ecwid-mock send`` beside ``wrk -t1 -c10`` at the same receiver (the ceiling; info).
L2   ``--processes 2`` x 10 users each, aggregate, vs the one process: goal >= 1.0x. With
     >= 3 cores the receiver gets a core of its own and Locust the others
     (``sched_setaffinity``); on 2 cores all share them, unpinned (pinning the receiver there
     starves it). The note gives the CPU seconds of the receiver, the master and the
     workers, and how idle the machine was: on a machine shared with other jobs the second
     worker can only grow into the CPU they leave free.
L2e  events per Locust CPU-second from test start to test stop (every process, the master
     included) with ``--processes 2`` vs one process, the two runs side by side at the same
     time (so both meet the same neighbours; info). A process that does its share as
     cheaply as one alone makes the aggregate grow with each free core.
L2c  the same per CPU-second with start-up included (info): start-up is paid per process.

Locust runs in subprocesses (its gevent patches never reach this process), with the master
bound to 127.0.0.1 on a free port. Without Locust (``pip install 'ecwid-mock[locust]'``) the
rows print SKIP.

Run: python benchmarks/bench_locust.py [--quick] [--row L1]
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import Row, RowMaker, Series, Settings, Skip, main, ratio_at_least
from _light_receiver import light_receiver
from bench_sender import SECRET, _free_port, _wrk, flipping, mixed_events

HERE = Path(__file__).resolve().parent
CONCURRENCY = 10
#: The first word of each Locust process's CPU report (see _cpu_locustfile; importing it
#: here would import Locust, and its gevent patches, into this process).
MARK = "ecwid-bench-cpu"
#: From this many cores the receiver gets one of its own (two workers and it each have one).
CORES_FOR_L2 = 3


def _env(ca: Path) -> dict[str, str]:
    return {**os.environ, "ECWID_CLIENT_SECRET": SECRET, "ECWID_CACERT": str(ca)}


def _pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def _send_seconds(url: str, ca: Path, count: int, cpus: set[int] | None) -> float:
    command = [
        sys.executable, "-m", "ecwid_mock", "send", "mixed", "--count", str(count),
        "--concurrency", str(CONCURRENCY), "--url", url, "--cacert", str(ca), "--seed", "1",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, env=_env(ca), capture_output=True, check=True, timeout=600,
                   preexec_fn=_pinned(cpus))  # fmt: skip
    return time.perf_counter() - started


def _send_rate(url: str, ca: Path, count: int, cpus: set[int] | None) -> Callable[[], float]:
    """A measure: ``ecwid-mock send mixed`` events/s, its start-up (a 1-event run) taken out."""
    start_up = min(_send_seconds(url, ca, 1, cpus) for _ in range(2))
    return lambda: count / max(_send_seconds(url, ca, count, cpus) - start_up, 1e-9)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_idle() -> tuple[float, float]:
    """(idle, total) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])


@dataclass
class LocustRuns:
    """What each run of one Locust configuration cost, one entry per round."""

    rates: list[float] = field(default_factory=list)  # events/s, Locust's own timings
    per_cpu: list[float] = field(default_factory=list)  # events per CPU-s, start-up included
    per_test_cpu: list[float] = field(default_factory=list)  # the same, in the test, side by side
    cpu: list[dict[str, float]] = field(default_factory=list)  # CPU-s in the test, by role
    idle: list[float] = field(default_factory=list)  # share of the machine left idle


def _locust_command(url: str, processes: int, seconds: int) -> list[str]:
    """A headless run of the bundled locustfile (with a CPU report per process); with
    ``--processes`` the master listens on 127.0.0.1, on a port no other run holds."""
    users = CONCURRENCY * max(processes, 1)
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "_cpu_locustfile.py"), "--headless",
        "--json", "--host", url, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--ecwid-seed", "1", "--only-summary",
    ]  # fmt: skip
    if processes:
        port = str(_free_port())
        command += ["--processes", str(processes), "--master-bind-host", "127.0.0.1",
                    "--master-bind-port", port, "--master-port", port]  # fmt: skip
    return command


@dataclass
class _Finished:
    """What one Locust run printed: its POST statistics and each process's CPU report."""

    requests: int
    span: float
    cpu: dict[str, float]


def _finished(returncode: int, stdout: str, stderr: str) -> _Finished:
    entries = _post_entries(stdout)
    if not entries:
        raise RuntimeError(f"no Locust statistics (exit {returncode}): {stderr[-1500:]}")
    span = max(e["last_request_timestamp"] for e in entries) - min(e["start_time"] for e in entries)
    return _Finished(sum(e["num_requests"] for e in entries), span, _cpu_by_role(stderr))


def _locust_rate(
    url: str, ca: Path, processes: int, seconds: int, runs: LocustRuns,
    receiver_cpu: Callable[[], float], cpus: set[int] | None,
) -> Callable[[], float]:  # fmt: skip
    """A measure: events/s of a Locust run, from Locust's own timings (the run alone on
    the receiver); what the run cost goes to ``runs``."""

    def measure() -> float:
        before, received, (idle, total) = _cpu_of_children(), receiver_cpu(), _machine_idle()
        result = subprocess.run(
            _locust_command(url, processes, seconds), env=_env(ca), capture_output=True,
            text=True, timeout=seconds + 120, preexec_fn=_pinned(cpus),
        )  # fmt: skip
        idle_after, total_after = _machine_idle()
        cpu = _cpu_of_children() - before
        done = _finished(result.returncode, result.stdout, result.stderr)
        done.cpu["receiver"] = receiver_cpu() - received
        runs.per_cpu.append(done.requests / cpu)
        runs.cpu.append(done.cpu)
        runs.idle.append((idle_after - idle) / max(total_after - total, 1))
        runs.rates.append(done.requests / done.span)
        return runs.rates[-1]

    return measure


def _side_by_side(
    url: str, ca: Path, seconds: int, one: LocustRuns, two: LocustRuns, cpus: set[int] | None
) -> Callable[[], float]:
    """A measure: one process and a ``--processes 2`` run at the same time, each's events
    per Locust CPU-second of the test to ``one`` and ``two`` (returns the ratio).

    Side by side, both meet the same neighbours, caches and receiver, so what the ratio
    shows is what a process of a two-process run costs per event against one alone, not
    how busy the machine was in each one's turn.
    """

    def measure() -> float:
        results = []
        with contextlib.ExitStack() as files:
            started = []
            for processes in (0, 2):
                out, err = (files.enter_context(tempfile.TemporaryFile("w+")) for _ in "oe")
                process = subprocess.Popen(
                    _locust_command(url, processes, seconds), env=_env(ca), stdout=out,
                    stderr=err, text=True, preexec_fn=_pinned(cpus),
                )  # fmt: skip
                started.append((process, out, err))
            for process, out, err in started:
                code = process.wait(seconds + 120)
                out.seek(0)
                err.seek(0)
                results.append(_finished(code, out.read(), err.read()))
        for runs, done in zip((one, two), results):
            runs.per_test_cpu.append(done.requests / max(done.cpu["locust"], 1e-9))
        return two.per_test_cpu[-1] / one.per_test_cpu[-1]

    return measure


def _cpu_by_role(stderr: str) -> dict[str, float]:
    """CPU seconds from test start to stop of each role (summed), and of all: ``locust``."""
    roles: dict[str, float] = {}
    for line in stderr.splitlines():
        if line.startswith(MARK):
            role, in_test = line.split()[1], float(line.split()[4])
            roles[role] = roles.get(role, 0.0) + in_test
    if not roles:
        raise RuntimeError(f"no CPU report from the Locust processes: {stderr[-1500:]}")
    roles["locust"] = sum(roles.values())
    return roles


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


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _cpu_note(one: LocustRuns, two: LocustRuns, seconds: int) -> str:
    def role(runs: LocustRuns, name: str) -> str:
        return f"{_median([c.get(name, 0.0) for c in runs.cpu]):.2f}"

    return (
        f"median CPU-s in a {seconds} s test: 1 process {role(one, 'local')} + receiver "
        f"{role(one, 'receiver')}; --processes 2: workers {role(two, 'worker')} + master "
        f"{role(two, 'master')} + receiver {role(two, 'receiver')}; machine idle "
        f"{_median(one.idle):.0%} / {_median(two.idle):.0%} of {os.cpu_count()} cores"
    )


def locust_rows(settings: Settings) -> list[Row]:
    """L1 Locust events/s per process vs ecwid-mock send"""
    if importlib.util.find_spec("locust") is None:
        raise Skip("locust not importable here (pip install 'ecwid-mock[locust]' to measure)")
    seconds = settings.pick(10, 4)  # long enough that a process's fixed costs fade
    count = settings.pick(15_000, 6_000)
    rounds = settings.pick(7, 3)
    wrk = shutil.which("wrk")
    cores = os.cpu_count() or 1
    pinned = cores >= CORES_FOR_L2
    receiver_cpus = {cores - 1} if pinned else None
    client_cpus = set(range(cores - 1)) if pinned else None
    one, two = LocustRuns(), LocustRuns()
    with light_receiver(receiver_cpus) as receiver:
        url, ca, used = receiver.url, receiver.ca, receiver.cpu_seconds
        measures = {
            "send": _send_rate(url, ca, count, client_cpus),
            "one": _locust_rate(url, ca, 0, seconds, one, used, client_cpus),
            "two": _locust_rate(url, ca, 2, seconds, two, used, client_cpus),
            "side": _side_by_side(url, ca, seconds, one, two, client_cpus),
        }
        if wrk:
            body = mixed_events(1)[0].body
            measures["wrk"] = _wrk(wrk, url, body, CONCURRENCY, settings.pick(3, 2))
        samples = flipping(measures, rounds, warm_up=False)
    unit = "events/s"
    send = Series(f"ecwid-mock send mixed, {CONCURRENCY} concurrent", unit, samples["send"])
    single = Series(f"Locust, 1 process x {CONCURRENCY} users", unit, samples["one"])
    double = Series(f"Locust, --processes 2 x {CONCURRENCY} users, aggregate", unit,
                    samples["two"])  # fmt: skip
    placed = (
        f"receiver pinned to core {cores - 1}, Locust and send to cores 0-{cores - 2}"
        if pinned
        else f"{cores} cores shared by the receiver, Locust and the neighbours, unpinned"
    )
    cpu_note = _cpu_note(one, two, seconds)
    per_test = "events/test-cpu-s"
    return [
        Row("L1", single, send, ratio_at_least(0.5),
            note=f"light receiver; Locust's own timings, start-up excluded; send's start-up "
                 f"taken out; {placed}"),
        Row("L1s", send, Series(f"wrk -t1 -c{CONCURRENCY}, same receiver", "req/s",
                                samples["wrk"]) if wrk else None,
            note="" if wrk else "wrk not installed (apt-get install -y wrk): no ceiling"),
        Row("L2", double, single, ratio_at_least(1.0),
            title="Locust --processes 2 vs 1 process",
            note=f"{placed}; {cpu_note}"),
        Row("L2e", Series("Locust --processes 2, events per CPU-second of the test "
                          "(workers + master)", per_test, tuple(two.per_test_cpu)),
            Series("1 process", per_test, tuple(one.per_test_cpu)),
            title="Locust --processes 2 vs 1: events per Locust CPU-second",
            note="both runs at the same time on the same receiver (same neighbours, same "
                 "caches); CPU of each Locust process from test start to test stop; 1.0 is "
                 "a second process as cheap per event as one alone"),
        Row("L2c", Series("Locust --processes 2, events per CPU-second (master included)",
                          "events/cpu-s", tuple(two.per_cpu)),
            Series("1 process", "events/cpu-s", tuple(one.per_cpu)),
            note="CPU of every Locust process, start-up included"),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"L1": locust_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
