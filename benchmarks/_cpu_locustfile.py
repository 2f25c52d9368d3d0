"""The bundled locustfile, plus one stderr line per Locust process with its own CPU seconds.

``--processes N`` forks the workers after this file is imported, so each process (the
master, every worker, or the single local one) keeps its own counters and prints, at exit:

    ecwid-bench-cpu <role> <pid> <CPU since start> <CPU from test start to test stop>
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
_TEST: dict[str, float] = {}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@events.test_start.add_listener
def _started(**_: object) -> None:
    _TEST["start"] = _cpu()


@events.test_stop.add_listener
def _stopped(**_: object) -> None:
    _TEST.setdefault("stop", _cpu())


def _report() -> None:
    now = _cpu()
    in_test = _TEST.get("stop", now) - _TEST.get("start", 0.0)
    multi = "--processes" in sys.argv
    role = "worker" if os.getpid() != _LOADED_IN else ("master" if multi else "local")
    sys.stderr.write(f"{MARK} {role} {os.getpid()} {now:.3f} {in_test:.3f}\n")
    sys.stderr.flush()


atexit.register(_report)
