"""ecwid_mock.locust in real Locust runs (subprocesses) against a loopback HTTPS receiver that
verifies every signature. Locust is never imported into the test process: its gevent
monkey-patching would change the rest of the suite. Skipped without the ``locust`` extra."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecwid_mock import LocalHTTPSServer
from ecwid_mock._cli.load import locustfile_path
from ecwid_mock._servers.reference import ReferenceReceiver, reference_receiver

SECRET = "locust-test-client-secret"
HAS_LOCUST = importlib.util.find_spec("locust") is not None
needs_locust = pytest.mark.skipif(not HAS_LOCUST, reason="needs the extra: ecwid-mock[locust]")
LOCUST_RUN_TIMEOUT = 90  # start-up of master and workers included; a run itself is 2 s


def test_importing_ecwid_mock_and_the_plugin_never_imports_locust() -> None:
    code = (
        "import sys, ecwid_mock, pytest_ecwid, pytest_ecwid.plugin, ecwid_mock._cli\n"
        "from ecwid_mock._cli import build_parser\n"
        "build_parser()\n"
        "ecwid_mock.EventFactory(seed=1).build('order.created')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


@needs_locust
def test_the_locustfile_loads_the_factory_before_processes_fork_the_workers() -> None:
    # Locust forks --processes workers after importing the locustfile: what is loaded by
    # then is shared, not loaded again by each worker during the test.
    code = "import sys, ecwid_mock.locust\nprint('faker' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True"]


def bundled_locustfile() -> str:
    """The locustfile as a user finds it: what ``python -m ecwid_mock.locust --path`` prints.

    tests/test_cli_load.py runs that command and checks it prints this path; running it here
    again would only import Locust once more (a second of CPU).
    """
    return str(locustfile_path())


def master_port() -> list[str]:
    """Locust options for a master on a free loopback port, not the default 5557: another
    Locust run on the machine (a parallel test, another project) would take this run's worker."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    return ["--master-bind-host", "127.0.0.1", "--master-bind-port", port, "--master-port", port]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ECWID_", "LOCUST_"))}


def locust_command(server: LocalHTTPSServer, *args: str) -> list[str]:
    """``locust -f <bundled locustfile> --headless --json`` against ``server``."""
    command = [
        str(Path(sys.executable).with_name("locust")), "-f", bundled_locustfile(), "--headless",
        "--json", "--host", f"{server.url}/webhooks/ecwid", "-u", "4", "-r", "100",
        "-t", "2s", "--ecwid-seed", "7", *args,
    ]  # fmt: skip
    return command + master_port() if "--processes" in args else command


def load_command(server: LocalHTTPSServer) -> list[str]:
    """``ecwid-mock load``: one Locust process (no worker), the ledger of a local run."""
    return [
        sys.executable, "-m", "ecwid_mock", "load", "--url", f"{server.url}/webhooks/ecwid",
        "--cacert", str(server.certificates.ca_pem_path), "-u", "2", "-t", "2s", "--seed", "3",
        "--user-rate", "25", "--json",
    ]  # fmt: skip


Command = Callable[[LocalHTTPSServer], list[str]]
Check = Callable[[ReferenceReceiver, "subprocess.CompletedProcess[str]"], None]


class LocustRun:
    """One Locust subprocess against its own verifying receiver: started now, awaited later.

    A run mostly waits (on Locust's start-up, its 2 s, its shutdown), so the runs of this
    module go side by side. Output goes to files: a full pipe would stall a run not yet read.
    """

    def __init__(
        self,
        stack: contextlib.ExitStack,
        folder: Path,
        command: Command,
        *,
        status: int = 200,
        secret: str | None = SECRET,
    ) -> None:
        self.app = reference_receiver(client_secret=SECRET)
        self.app.status = status
        server = stack.enter_context(LocalHTTPSServer(self.app))
        args, env = command(server), clean_env()
        if "--cacert" not in args:
            env["ECWID_CACERT"] = str(server.certificates.ca_pem_path)
        if secret is not None:
            env["ECWID_CLIENT_SECRET"] = secret
        folder.mkdir()
        self._out = stack.enter_context((folder / "stdout").open("w+", encoding="utf-8"))
        self._err = stack.enter_context((folder / "stderr").open("w+", encoding="utf-8"))
        self._process = subprocess.Popen(args, stdout=self._out, stderr=self._err, env=env)
        stack.callback(self._process.kill)  # a no-op once it has ended

    def result(self) -> subprocess.CompletedProcess[str]:
        code = self._process.wait(LOCUST_RUN_TIMEOUT)
        self._out.seek(0)
        self._err.seek(0)
        return subprocess.CompletedProcess(
            self._process.args, code, self._out.read(), self._err.read()
        )


def stats(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    """The master's JSON statistics by name; the ledger's entry is ``ecwid-mock ledger``.

    With ``--processes`` each worker prints its own list too (without a ledger).
    """
    decoder, text, documents = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        try:
            document, end = decoder.raw_decode(text)
        except json.JSONDecodeError:
            pytest.fail(f"no JSON on stdout (exit {result.returncode}):\n{result.stderr[-3000:]}")
        documents.append(document)
        text = text[end:].strip()
    for document in documents:
        entries = {entry["name"]: entry for entry in document}
        if "ecwid-mock ledger" in entries:
            return entries
    pytest.fail(f"no ledger in the JSON (exit {result.returncode}):\n{result.stderr[-3000:]}")


def check_ledger(app: ReferenceReceiver, result: subprocess.CompletedProcess[str]) -> None:
    """A master and its worker deliver signed events and balance the ledger."""
    entries = stats(result)
    assert result.returncode == 0, result.stderr[-3000:]
    ledger = entries["ecwid-mock ledger"]
    assert ledger["balanced"], ledger
    assert ledger["passed"], ledger
    first = entries["first attempt"]
    assert first["num_requests"] > 0
    assert first["num_failures"] == 0
    assert ledger["ledger"]["delivered"] == first["num_requests"]  # the master's sum
    received = list(app.received)
    # attempts in flight at the end finish (the locustfile's --stop-timeout), so what the
    # receiver got, counted by distinct eventId, is exactly what the ledger calls delivered
    assert len({r.event_id for r in received}) == ledger["ledger"]["delivered"]
    assert ledger["ledger"]["interrupted"] == 0
    assert Counter(r.signature_check for r in received) == {"valid": len(received)}
    assert all(r.query == {"eventtype": r.event_type} for r in received)
    assert all(r.schema_valid for r in received)
    assert "ecwid-mock ledger: sent" in result.stderr


def check_203(app: ReferenceReceiver, result: subprocess.CompletedProcess[str]) -> None:
    """A receiver answering 203 gets only failures, and retries."""
    entries = stats(result)
    assert result.returncode == 1
    for name in ("first attempt", "retry"):  # 15 Ecwid minutes are 0.25 s here
        assert entries[name]["num_requests"] > 0
        assert entries[name]["num_failures"] == entries[name]["num_requests"]
    ledger = entries["ecwid-mock ledger"]
    assert ledger["ledger"]["delivered"] == 0
    assert ledger["balanced"]
    assert not ledger["passed"]
    assert any("delivered 0 of" in p for p in ledger["problems"])
    assert "status 203 is not one Ecwid accepts" in result.stderr  # Locust's error report


def check_storm(app: ReferenceReceiver, result: subprocess.CompletedProcess[str]) -> None:
    """The storm profile plays the retries that follow an outage."""
    # 4 users x 10 events/s over a 6-hour outage: a backlog of 240 events, handed by the
    # master to its worker, all due within the first compressed hour (1 s), each a retry of
    # its own hours-old event.
    entries = stats(result)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("240 backlog events waiting for their next attempt") == 1
    ledger = entries["ecwid-mock ledger"]
    assert ledger["balanced"]
    assert ledger["ledger"]["sent"] >= 240
    assert entries["retry"]["num_requests"] > 0
    assert entries["retry"]["num_failures"] == 0
    backlog = [r for r in app.received if r.payload["eventCreated"] < r.received_at - 3600]
    assert backlog  # backlog events carry their hours-old eventCreated
    assert all(r.signature_check == "valid" for r in app.received)


def check_missing_secret(app: ReferenceReceiver, result: subprocess.CompletedProcess[str]) -> None:
    """Without a client secret: one line, exit 2, nothing sent."""
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors == [
        "ecwid-mock: error: invalid client secret None (from $ECWID_CLIENT_SECRET): must be "
        "the app's client secret (set it on every load machine)"
    ]
    assert list(app.received) == []


def check_load_command(app: ReferenceReceiver, result: subprocess.CompletedProcess[str]) -> None:
    """``ecwid-mock load`` runs Locust with the command it builds."""
    entries = stats(result)
    assert result.returncode == 0, result.stderr[-3000:]
    ledger = entries["ecwid-mock ledger"]
    assert ledger["passed"]
    assert entries["first attempt"]["num_requests"] > 0
    assert all(r.signature_check == "valid" for r in app.received)
    assert len({r.event_id for r in app.received}) == ledger["ledger"]["delivered"]


PACED = ("--ecwid-user-rate", "25")  # not as fast as answered: the runs share two cores


def paced_command(server: LocalHTTPSServer) -> list[str]:
    return locust_command(server, *PACED)


def worker_command(server: LocalHTTPSServer) -> list[str]:
    return locust_command(server, *PACED, "--processes", "1")


def storm_command(server: LocalHTTPSServer) -> list[str]:
    return locust_command(
        server, "--processes", "1",
        "--ecwid-profile", "storm", "--ecwid-user-rate", "10", "--ecwid-outage-hours", "6",
        "--ecwid-min-delivered", "0",  # how much of the backlog 2 s send depends on the machine
    )  # fmt: skip


@needs_locust
@pytest.mark.slow
def test_real_locust_runs(subtests: pytest.Subtests, tmp_path: Path) -> None:
    """Five real Locust runs side by side, each judged in its own subtest."""
    with contextlib.ExitStack() as stack:

        def start(command: Command, **options: Any) -> LocustRun:
            return LocustRun(stack, tmp_path / f"run{len(runs)}", command, **options)

        runs: dict[str, tuple[Check, LocustRun]] = {}
        runs["master and worker balance the ledger"] = (check_ledger, start(worker_command))
        runs["a receiver answering 203"] = (check_203, start(paced_command, status=203))
        runs["the retry storm after an outage"] = (check_storm, start(storm_command))
        runs["a missing client secret"] = (
            check_missing_secret, start(locust_command, secret=None)
        )  # fmt: skip
        runs["ecwid-mock load"] = (check_load_command, start(load_command))
        for name, (check, run) in runs.items():
            with subtests.test(msg=name):
                check(run.app, run.result())
