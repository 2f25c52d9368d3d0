"""``ecwid-mock serve-store``: the ready line, real HTTPS answers, request logs without tokens."""

from __future__ import annotations

import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import threading
from typing import IO, Any

import httpx
import pytest

from ecwid_mock._cli import main

WAIT = 20.0
RUN_CLI = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from ecwid_mock._cli import main; sys.exit(main(sys.argv[1:]))"
)


def _reader(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def test_serve_store_answers_over_https_and_logs_each_request() -> None:
    argv = ["serve-store", "--port", "0", "--seed", "3", "--rate-limit", "3", "--json"]
    with subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, *argv, "--scopes", "read_orders"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    ) as process:
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
        try:
            ready = json.loads(lines.get(timeout=WAIT))
            _use_the_store(ready, lines)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=WAIT)
    assert process.returncode == 0
    assert not os.path.exists(ready["cacert"])


def _use_the_store(ready: dict[str, Any], lines: queue.Queue[str]) -> None:
    assert set(ready) == {"api_url", "store_id", "token", "cacert"}
    assert ready["api_url"].startswith("https://127.0.0.1:")
    assert ready["api_url"].endswith(f"/api/v3/{ready['store_id']}")
    verify = ssl.create_default_context(cafile=ready["cacert"])
    auth = {"Authorization": f"Bearer {ready['token']}"}
    with httpx.Client(base_url=ready["api_url"], headers=auth, verify=verify) as http:
        page = http.get("/orders", params={"limit": 2})
        assert page.status_code == 200
        assert page.json()["total"] == 30
        assert http.get("/products").json()["errorCode"] == "INSUFFICIENT_APP_SCOPE"
        assert http.get("/orders").status_code == 200
        assert http.get("/orders").status_code == 429
    logged = [json.loads(lines.get(timeout=WAIT)) for _ in range(4)]
    assert [(r["path"], r["status"]) for r in logged] == [
        ("/orders", 200),
        ("/products", 403),
        ("/orders", 200),
        ("/orders", 429),
    ]
    assert all(ready["token"] not in json.dumps(r) for r in logged)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--port", "80"], "--port", id="port-privileged"),
        pytest.param(["--seed", "x"], "--seed", id="seed-not-int"),
        pytest.param(["--store-id", "0"], "--store-id", id="store-id-zero"),
        pytest.param(["--rate-limit", "0"], "--rate-limit", id="rate-limit-zero"),
        pytest.param(["--scopes", "read_everything"], "--scopes", id="scope-unknown"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve-store", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


def test_data_file_keeps_the_store_across_restarts(tmp_path: Any) -> None:
    from ecwid_mock import VirtualClock
    from ecwid_mock._cli.serve_store import SEEDED
    from ecwid_mock._store.persist import open_store

    path = tmp_path / "store.sqlite"
    options: dict[str, Any] = {"seed": 5, "store_id": None, "scopes": None, "seeding": SEEDED}
    first, db = open_store(path, clock=VirtualClock(), **options)
    order = next(iter(first.orders.values()))
    first.update("orders", order["id"], {"paymentStatus": "REFUNDED"})
    product = next(iter(first.products.values()))
    first.delete("products", product["id"])
    first.apps[first.token].storage["k"] = "v"
    first.create("classes", {"name": "Kept"})
    db.close()
    assert first.token.encode() not in path.read_bytes()

    again, db = open_store(path, clock=VirtualClock(), **{**options, "seed": 99})
    try:
        assert (again.token, again.store_id) == (first.token, first.store_id)
        assert again.orders[order["internalId"]]["paymentStatus"] == "REFUNDED"
        assert product["id"] not in again.products
        assert again.products.deleted == first.products.deleted
        assert list(again.orders) == list(first.orders)
        assert {c["name"] for c in again.classes.values()} >= {"Kept"}
        assert again.profile == first.profile
    finally:
        db.close()


def test_a_data_file_that_is_not_sqlite_is_one_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "not.sqlite"
    bad.write_text("hello, this is not a database at all" * 10)
    assert main(["serve-store", "--port", "0", "--data", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--data" in err


def test_rest_writes_fire_webhooks_to_the_webhook_url() -> None:
    from ecwid_mock import LocalHTTPSServer
    from ecwid_mock._servers.reference import reference_receiver

    secret = "serve-store-webhook-client-secret"
    heard: queue.Queue[Any] = queue.Queue()
    receiver = reference_receiver(client_secret=secret, on_delivery=heard.put)
    with LocalHTTPSServer(receiver) as hooks:
        argv = ["serve-store", "--port", "0", "--json", "--webhook-url", hooks.url + receiver.path]
        argv += ["--cacert", str(hooks.certificates.ca_pem_path)]
        with subprocess.Popen(
            [sys.executable, "-c", RUN_CLI, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "NO_COLOR": "1", "ECWID_CLIENT_SECRET": secret},
        ) as process:
            lines: queue.Queue[str] = queue.Queue()
            assert process.stdout is not None
            threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
            try:
                ready = json.loads(lines.get(timeout=WAIT))
                verify = ssl.create_default_context(cafile=ready["cacert"])
                auth = {"Authorization": f"Bearer {ready['token']}"}
                with httpx.Client(base_url=ready["api_url"], headers=auth, verify=verify) as api:
                    order = api.get("/orders", params={"limit": 1}).json()["items"][0]
                    changed = api.put(f"/orders/{order['id']}", json={"paymentStatus": "PAID"})
                    assert changed.json() == {"updateCount": 1}
                record = heard.get(timeout=WAIT)
                logged = [json.loads(lines.get(timeout=WAIT)) for _ in range(3)]
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=WAIT)
    assert record.event_type == "order.updated"
    assert record.signature_valid
    assert record.payload["data"]["orderId"] == order["id"]
    webhook = next(line for line in logged if "webhook" in line)
    assert (webhook["webhook"], webhook["status"], webhook["outcome"]) == (
        "order.updated",
        200,
        "delivered",
    )
    assert secret not in json.dumps(logged)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--client-secret", "s3cret-value"], "go with --webhook-url",
                     id="secret-alone"),
        pytest.param(["--webhook-url", "https://127.0.0.1:9/hook"], "needs the app's secret",
                     id="url-without-secret"),
        pytest.param(["--webhook-url", "http://127.0.0.1:9/hook", "--client-secret", "abcd"],
                     "rule 'scheme'", id="plain-http"),
    ],
)  # fmt: skip
def test_webhook_flags_are_checked_before_the_store_starts(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    assert main(["serve-store", "--port", "0", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
    assert "s3cret-value" not in err
