from __future__ import annotations

import json
import os
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from ecwid_mock._cli import main
from ecwid_mock._cli.listen import _describe
from ecwid_mock._events.signing import SIGNATURE_HEADER, sign
from ecwid_mock._servers.reference import ReceivedDelivery

SECRET = "test_client_secret"
WAIT = 20.0  # bound on every wait for the child process (it is normally ~0.5 s)

# Runs the CLI with Ctrl-C (SIGINT) handled even where the test runner's children inherit
# an ignored SIGINT (background jobs of a shell do).
RUN_CLI = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from ecwid_mock._cli import main; sys.exit(main(sys.argv[1:]))"
)


def order_created(event_id: str = "3f1c2a9e-7b4d-4e21-9a0b-5c6d7e8f9012") -> dict[str, Any]:
    return {
        "eventId": event_id,
        "eventCreated": 1725434529,
        "storeId": 61882411,
        "entityId": 516483487,
        "eventType": "order.created",
        "data": {
            "orderId": "K8XTQ",
            "newPaymentStatus": "AWAITING_PAYMENT",
            "newFulfillmentStatus": "AWAITING_PROCESSING",
        },
    }


def post_event(url: str, ca: str, payload: dict[str, Any], *, secret: str = SECRET) -> int:
    signature = sign(payload["eventCreated"], payload["eventId"], secret)
    response = httpx.post(
        url,
        params={"eventtype": payload["eventType"]},
        content=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json; charset=UTF-8", SIGNATURE_HEADER: signature},
        verify=ssl.create_default_context(cafile=ca),  # trusts the printed CA, verifying
    )
    return response.status_code


class Listener:
    """``ecwid-mock listen`` in a child process, its output read line by line in threads."""

    def __init__(self, *args: str, secret: str | None = SECRET) -> None:
        env = {k: v for k, v in os.environ.items() if k != "ECWID_CLIENT_SECRET"}
        env["NO_COLOR"] = "1"
        if secret is not None:
            env["ECWID_CLIENT_SECRET"] = secret
        self.process = subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, "listen", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.stdout: queue.Queue[str] = queue.Queue()
        self.stderr: queue.Queue[str] = queue.Queue()
        self.seen: dict[str, list[str]] = {"stdout": [], "stderr": []}
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            threading.Thread(target=_pump, args=(self.process.stdout, self.stdout), daemon=True),
            threading.Thread(target=_pump, args=(self.process.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def read_until(self, stream: str, text: str) -> str:
        """The first line (of stdout or stderr) that contains ``text``; bounded wait."""
        source = self.stdout if stream == "stdout" else self.stderr
        while True:
            try:
                line = source.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(
                    f"no {text!r} on {stream} within {WAIT} s; got {self.seen[stream]}"
                ) from None
            self.seen[stream].append(line)
            if text in line:
                return line

    def banner(self, stream: str = "stdout") -> tuple[str, str]:
        url = self.read_until(stream, "Listening on ").split("Listening on ", 1)[1].strip()
        ca = self.read_until(stream, "CA certificate: ").split(": ", 1)[1].strip()
        return url, ca

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=WAIT)
        finally:
            self.kill()
        return code

    def rest(self, stream: str) -> list[str]:
        """Everything the stream printed after the lines already read (after exit)."""
        source = self.stdout if stream == "stdout" else self.stderr
        lines = []
        while True:
            try:
                lines.append(source.get_nowait())
            except queue.Empty:
                return lines

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)
        for reader in self._readers:
            reader.join(WAIT)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.process.stdout.close()
        self.process.stderr.close()


def _pump(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))


@pytest.fixture
def listener_factory() -> Iterator[Any]:
    started: list[Listener] = []

    def start(*args: str, secret: str | None = SECRET) -> Listener:
        listener = Listener(*args, secret=secret)
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.kill()


@pytest.mark.slow
def test_listen_prints_each_delivery_and_stops_on_ctrl_c(listener_factory: Any) -> None:
    listener = listener_factory()
    url, ca = listener.banner()
    assert url.startswith("https://127.0.0.1:")
    assert url.endswith("/webhooks/ecwid")
    assert Path(ca).is_file()

    payload = order_created()
    assert post_event(url, ca, payload) == 200
    first = listener.read_until("stdout", "#1 ")
    assert "POST /webhooks/ecwid?eventtype=order.created -> 200" in first
    assert "signature: valid" in listener.read_until("stdout", "signature:")
    assert payload["eventId"] in listener.read_until("stdout", '"eventId"')

    assert post_event(url, ca, payload, secret="wrong") == 401
    assert "-> 401 invalid signature" in listener.read_until("stdout", "#2 ")
    assert "signature: invalid" in listener.read_until("stdout", "signature:")

    assert listener.stop(signal.SIGINT) == 0
    assert "stopped" in "\n".join(listener.rest("stderr"))
    assert not Path(ca).exists()  # the temporary CA directory is removed on exit


@pytest.mark.slow
def test_listen_json_prints_one_object_per_delivery(listener_factory: Any) -> None:
    listener = listener_factory("--json", "--status", "202")
    url, ca = listener.banner("stderr")  # stdout carries only deliveries

    payload = order_created()
    assert post_event(url, ca, payload) == 202
    assert post_event(url, ca, payload) == 202  # 202 is an accepted code: a duplicate now
    first = json.loads(listener.read_until("stdout", "{"))
    second = json.loads(listener.read_until("stdout", "{"))
    by_number = {d["number"]: d for d in (first, second)}
    assert by_number[1]["signature"] == "valid"
    assert by_number[1]["schema_valid"] is True
    assert by_number[1]["payload"] == payload
    assert by_number[1]["status"] == 202
    assert by_number[1]["headers"][SIGNATURE_HEADER.lower()]
    assert by_number[2]["duplicate"] is True

    assert listener.stop(signal.SIGTERM) == 0
    assert not Path(ca).exists()


@pytest.mark.slow
def test_listen_without_a_secret_does_not_check_signatures(listener_factory: Any) -> None:
    listener = listener_factory("--json", "--path", "/hooks", secret=None)
    url, ca = listener.banner("stderr")
    assert "not checked" in listener.read_until("stderr", "signatures:")
    assert url.endswith("/hooks")
    assert post_event(url, ca, order_created(), secret="anything") == 200
    delivery = json.loads(listener.read_until("stdout", "{"))
    assert delivery["signature"] == "not checked"
    assert listener.stop(signal.SIGTERM) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--port", "abc"], "invalid port 'abc' (from --port)", id="port-not-a-number"),
        pytest.param(["--port", "80"], "invalid port 80 (from --port)", id="port-below-1024"),
        pytest.param(["--port", "65536"], "invalid port 65536", id="port-above-65535"),
        pytest.param(["--status", "99"], "invalid status 99 (from --status)", id="status-low"),
        pytest.param(["--status", "600"], "invalid status 600", id="status-high"),
        pytest.param(["--status", "ok"], "invalid status 'ok'", id="status-not-a-number"),
        pytest.param(["--delay", "-1"], "invalid delay '-1' (from --delay)", id="delay-negative"),
        pytest.param(["--delay", "soon"], "invalid delay 'soon'", id="delay-not-a-number"),
        pytest.param(["--delay", "inf"], "invalid delay 'inf'", id="delay-infinite"),
        pytest.param(["--path", "hooks"], "invalid path 'hooks' (from --path)", id="path"),
        pytest.param(["--client-secret", ""], "--client-secret is empty", id="empty-secret"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["listen", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ecwid-mock listen: error: ")
    assert message in err


def test_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["listen", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"invalid port {port}" in err
    assert "already in use" in err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["listen", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "curl --cacert" in out
    assert "ECWID_CLIENT_SECRET" in out


def test_colour_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    record = ReceivedDelivery(
        number=1,
        method="POST",
        path="/webhooks/ecwid",
        query={"eventtype": "order.created"},
        headers={"content-type": "application/json"},
        body=json.dumps(order_created()).encode(),
        status=200,
        reason="delivery received",
        signature_valid=True,
        schema_valid=True,
        event_id="e1",
        event_type="order.created",
    )
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _describe(record)
    assert "\033[" not in plain
    assert "signature: valid" in plain
    assert '"orderId": "K8XTQ"' in plain
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[32mvalid\033[0m" in _describe(record)


@pytest.mark.parametrize("host", ["exa mple", "a\tb", "xn--a.example\x00"])
def test_a_host_no_server_could_listen_on_is_one_line_naming_the_flag(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecwid_mock._cli import main

    assert main(["listen", "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "(from --host)" in err
    assert "a bug" not in err
