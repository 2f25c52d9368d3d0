"""The bundled locustfile, plus one stderr line per Locust process with its own CPU seconds.

``--processes N`` forks the workers after this file is imported, so each process (the
master, every worker, or the single local one) keeps its own counters and prints, at exit:

    ecwid-bench-cpu <role> <pid> <CPU since start> <CPU from test start to test stop>
        <system CPU of it> <minor page faults of it>
"""

import atexit
import os
import resource
import sys

from locust import events

from ecwid_mock.locust import EcwidProfile, EcwidWebhookUser

__all__ = ["EcwidProfile", "EcwidWebhookUser"]

MARK = "ecwid-bench-cpu"
_LOADED_IN = os.getpid()
_ZERO = (0.0, 0.0, 0.0)
_TEST: dict[str, tuple[float, float, float]] = {}


def _usage() -> tuple[float, float, float]:
    """(CPU seconds, of which system, minor page faults) of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime, float(usage.ru_minflt)


@events.test_start.add_listener
def _started(**_: object) -> None:
    _TEST["start"] = _usage()


@events.test_stop.add_listener
def _stopped(**_: object) -> None:
    _TEST.setdefault("stop", _usage())


def _report() -> None:
    now = _usage()
    stop, start = _TEST.get("stop", now), _TEST.get("start", _ZERO)
    cpu, system, faults = (stop[i] - start[i] for i in range(3))
    multi = "--processes" in sys.argv
    role = "worker" if os.getpid() != _LOADED_IN else ("master" if multi else "local")
    sys.stderr.write(
        f"{MARK} {role} {os.getpid()} {now[0]:.3f} {cpu:.3f} {system:.3f} {faults:.0f}\n"
    )
    sys.stderr.flush()


atexit.register(_report)
