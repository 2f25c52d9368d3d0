"""One load process's state (retry heap, counters, options) and the Locust listeners that
keep the ledger: workers report theirs with their statistics, the master sums them and judges
the run in ``quitting``, after the last worker report has arrived."""

from __future__ import annotations

import itertools
import logging
import sys
import time
import weakref
from dataclasses import dataclass
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import STATE_STOPPED, MasterRunner, WorkerRunner

from .._delivery.url import check_webhook_url
from .._errors import EcwidMockError
from .._events.event import Event
from .._load.ledger import Ledger, LedgerBook, judge_run
from .._load.schedule import CompressedSchedule, RetryHeap
from .._load.storm import storm_backlog
from ._options import LoadOptions, add_arguments

__all__ = ["BACKLOG_MESSAGE", "LoadProcess", "Pending", "load_process"]

logger = logging.getLogger("ecwid_mock.locust")

BACKLOG_MESSAGE = "ecwid_mock_backlog"
FINAL_MESSAGE = "ecwid_mock_final"  # master -> workers: stop your users, report your ledger
LEDGER_MESSAGE = "ecwid_mock_ledger"  # worker -> master: the final ledger
FINAL_REPORT_WAIT = 5.0  # seconds the master waits for final ledgers beyond --stop-timeout
LEDGER_KEY = "ecwid_mock_ledger"
FINAL_KEY = "ecwid_mock_final"
JSON_NAME = "ecwid-mock ledger"


@dataclass
class Pending:
    """An event between attempts. A storm's backlog events have no ``event`` yet: the user
    that sends one builds it, created at its first attempt."""

    event: Event | None
    first_attempt_at: float
    attempts_made: int


class LoadProcess:
    """What the users of one process share: options, the retry heap and the counters."""

    def __init__(self, environment: Environment, options: LoadOptions) -> None:
        self.environment = environment
        self.options = options
        self.heap: RetryHeap[Pending] = RetryHeap()
        self.book = LedgerBook()
        self.sent = self.delivered = self.dropped = self.attempts = self.retries = 0
        self.in_flight = 0
        self.interrupted = 0
        self.expected_workers: list[str] = []
        self.user_numbers = itertools.count()

    @property
    def schedule(self) -> CompressedSchedule:
        return self.options.schedule

    @property
    def worker_index(self) -> int:
        return int(getattr(self.environment.runner, "worker_index", 0))

    def ledger(self) -> Ledger:
        """This process's counts now; ``pending`` is measured: the heap plus in-flight attempts."""
        return Ledger(
            sent=self.sent,
            delivered=self.delivered,
            dropped=self.dropped,
            pending=len(self.heap) + self.in_flight,
            attempts=self.attempts,
            retries=self.retries,
            interrupted=self.interrupted,
        )

    def seed_backlog(self, data: dict[str, Any]) -> int:
        """Take this process's share of a storm's backlog into the heap; returns how many."""
        schedule = CompressedSchedule.named(data["policy"], data["time_scale"])
        now = time.time()
        taken = 0
        for event in storm_backlog(
            data["outage_hours"], data["rate"], schedule, share=data["share"], shares=data["shares"]
        ):
            first = now - event.age
            self.heap.push(now + event.due_after, Pending(None, first, event.attempts_made))
            taken += 1
        self.sent += taken
        return taken


_PROCESSES: weakref.WeakKeyDictionary[Environment, LoadProcess] = weakref.WeakKeyDictionary()


def load_process(environment: Environment) -> LoadProcess:
    """The state of ``environment``'s process (made by the ``init`` listener)."""
    process = _PROCESSES.get(environment)
    if process is None:
        process = _PROCESSES[environment] = LoadProcess(environment, _options(environment))
    return process


def _sends(environment: Environment) -> bool:
    return not isinstance(environment.runner, MasterRunner)


def _options(environment: Environment) -> LoadOptions:
    if environment.host:  # workers get it from the master later, and check it then
        check_webhook_url(environment.host)
    return LoadOptions.from_parsed(
        environment.parsed_options,
        sends=_sends(environment),
        worker=isinstance(environment.runner, WorkerRunner),
    )


@events.init_command_line_parser.add_listener
def _on_parser(parser: Any, **_: Any) -> None:
    add_arguments(parser)


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    try:
        process = load_process(environment)
    except EcwidMockError as exc:
        sys.stderr.write(f"ecwid-mock: error: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None
    runner = environment.runner
    if runner is None:
        return
    if not isinstance(runner, MasterRunner):

        def on_backlog(environment: Environment, msg: Any, **_: Any) -> None:
            taken = process.seed_backlog(msg.data)
            logger.info("ecwid-mock: %d backlog events waiting for their next attempt", taken)

        runner.register_message(BACKLOG_MESSAGE, on_backlog)
    if isinstance(runner, WorkerRunner):
        worker = runner

        def on_final(environment: Environment, msg: Any, **_: Any) -> None:
            worker.stop()  # users finish or are cut off; nothing is sent after this
            data = {LEDGER_KEY: process.ledger().as_dict(), FINAL_KEY: True}
            worker.send_message(LEDGER_MESSAGE, data)

        runner.register_message(FINAL_MESSAGE, on_final)
    if isinstance(runner, MasterRunner):

        def on_ledger(environment: Environment, msg: Any, **_: Any) -> None:
            ledger = Ledger.from_dict(msg.data[LEDGER_KEY])
            process.book.record(msg.node_id, ledger, final=bool(msg.data.get(FINAL_KEY)))

        runner.register_message(LEDGER_MESSAGE, on_ledger)
    if not isinstance(runner, WorkerRunner):
        logger.info("ecwid-mock: seed %d (--ecwid-seed to replay)", process.options.seed)


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        # the master's options arrived with the first spawn message; the heap and the
        # counters stay (a storm's backlog may already be waiting)
        process = load_process(environment)
        process.options = _options(environment)


@events.test_stop.add_listener
def _on_test_stop(environment: Environment, **_: Any) -> None:
    """On the master, before Locust quits its workers: collect every worker's final ledger.

    Locust's own last statistics arrive only after ``test_stop`` (and are not waited for
    long), so the master asks each worker to stop and report, and waits for the answers.
    """
    runner = environment.runner
    if not isinstance(runner, MasterRunner) or environment not in _PROCESSES:
        return
    process = _PROCESSES[environment]
    workers = sorted(client.id for client in runner.clients.all)
    process.expected_workers = workers
    for client_id in workers:
        runner.send_message(FINAL_MESSAGE, None, client_id=client_id)
    deadline = time.monotonic() + (environment.stop_timeout or 0) + FINAL_REPORT_WAIT
    while process.book.missing_final(workers) and time.monotonic() < deadline:
        gevent.sleep(0.05)


@events.report_to_master.add_listener
def _on_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    for environment, process in list(_PROCESSES.items()):
        runner = environment.runner
        if isinstance(runner, WorkerRunner) and runner.client_id == client_id:
            data[LEDGER_KEY] = process.ledger().as_dict()
            data[FINAL_KEY] = runner.state == STATE_STOPPED


@events.worker_report.add_listener
def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if LEDGER_KEY not in data:
        return
    for environment, process in list(_PROCESSES.items()):
        if isinstance(environment.runner, MasterRunner):
            ledger = Ledger.from_dict(data[LEDGER_KEY])
            process.book.record(client_id, ledger, final=bool(data.get(FINAL_KEY)))


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner) or environment not in _PROCESSES:
        return
    process = _PROCESSES[environment]
    if isinstance(runner, MasterRunner):
        ledger = process.book.total()
        missing = process.book.missing_final(process.expected_workers)
        if not process.book.workers and not missing:
            missing = ["(none reported)"]
    else:
        ledger, missing = process.ledger(), []
    total = environment.stats.total
    p95 = total.get_response_time_percentile(0.95) / 1000 if total.num_requests else None
    problems = judge_run(ledger, process.options.thresholds, p95=p95, missing_final=missing)
    lines = [f"ecwid-mock ledger: {ledger.line()}"]
    lines += [f"ecwid-mock: FAILED: {p}" for p in problems] or ["ecwid-mock: passed"]
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()
    if environment.process_exit_code is None:
        crashed = runner is not None and bool(runner.exceptions)
        environment.process_exit_code = 1 if problems or crashed else 0
    _add_to_json(environment, ledger, problems, p95)


def _add_to_json(
    environment: Environment, ledger: Ledger, problems: list[str], p95: float | None
) -> None:
    """Append the ledger to what ``--json`` / ``--json-file`` print (the list of stats)."""
    stats = environment.stats
    serialize = stats.serialize_stats
    entry = {
        "name": JSON_NAME,
        "method": "LEDGER",
        "num_requests": 0,
        "num_failures": 0,
        "ledger": ledger.as_dict(),
        "balanced": ledger.balanced,
        "delivered_ratio": round(ledger.delivered_ratio, 6),
        "p95_seconds": p95,
        "passed": not problems,
        "problems": problems,
    }

    def serialize_with_ledger() -> list[Any]:
        return [*serialize(), entry]

    stats.serialize_stats = serialize_with_ledger  # type: ignore[method-assign]
