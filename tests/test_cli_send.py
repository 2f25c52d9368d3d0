"""``ecwid-mock send``: exit codes, the report, custom headers, and bad input as one line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgi import read_body

from ecwid_mock import LocalHTTPSServer, TestCertificates, verify_signature
from ecwid_mock._cli import main

SECRET = "cli-send-test-client-secret"


class Receiver:
    """Accepts signed events on /ok, answers 500 on /fail; remembers headers."""

    def __init__(self) -> None:
        self.headers: list[dict[bytes, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = dict(scope["headers"])
        self.headers.append(headers)
        signed = verify_signature(body, headers.get(b"x-ecwid-webhook-signature"), SECRET)
        status = 401 if not signed else (500 if scope["path"] == "/fail" else 200)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"nope" if status != 200 else b""})


@pytest.fixture(scope="module")
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture(scope="module")
def server(receiver: Receiver) -> Iterator[LocalHTTPSServer]:
    certificates = TestCertificates()
    with LocalHTTPSServer(receiver, certificates=certificates) as running:
        yield running
    certificates.cleanup()


def send(server: LocalHTTPSServer, path: str, *extra: str) -> int:
    return main(
        [
            "send",
            "order.created",
            "--url",
            server.url + path,
            "--cacert",
            str(server.certificates.ca_pem_path),
            "--client-secret",
            SECRET,
            "--seed",
            "1",
            *extra,
        ]
    )


def test_delivered_events_exit_0_with_a_summary(
    server: LocalHTTPSServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert send(server, "/ok", "--count", "20", "--concurrency", "4") == 0
    out = capsys.readouterr()
    assert re.search(r"^delivered +20$", out.out, re.M)
    assert "all delivered" in out.out
    assert SECRET not in out.out + out.err


def test_failed_events_exit_1_and_are_explained(
    server: LocalHTTPSServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert send(server, "/fail", "--count", "3") == 1
    out = capsys.readouterr().out
    assert "status 500 Internal Server Error; body 'nope'" in out
    assert re.search(r"^not delivered +3$", out, re.M)
    assert "retry" not in out
    assert "3 not delivered" in out


def test_a_forged_signature_is_rejected_by_a_good_receiver(
    server: LocalHTTPSServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert send(server, "/ok", "--signature", "invalid", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["failures"][0]["attempts"][0]["status_code"] == 401


def test_json_report_and_custom_headers(
    server: LocalHTTPSServer, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    code = send(
        server,
        "/ok",
        "--json",
        "--header",
        "X-App-Id: 42",
        "--set",
        "data.newPaymentStatus=PAID",
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["outcomes"]["delivered"] == 1
    assert report["summary"]["budget_s"] == 10.0
    assert report["failures"] == []
    assert receiver.headers[-1][b"x-app-id"] == b"42"


def test_the_secret_may_come_from_the_environment(
    server: LocalHTTPSServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECWID_CLIENT_SECRET", SECRET)
    args = ["send", "product.updated", "--url", server.url + "/ok", "--seed", "2"]
    assert main([*args, "--cacert", str(server.certificates.ca_pem_path)]) == 0
    assert "all delivered" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--url", "http://example.com/hook"], "rule 'scheme'", id="http-url"),
        pytest.param(["--url", "https://example.com:22/hook"], "rule 'port'", id="bad-port"),
        pytest.param(["--cacert", "/nonexistent/ca.pem"], "CA file '/nonexistent/ca.pem'", id="ca"),
        pytest.param(["--concurrency", "0"], "--concurrency must be 1 or more", id="concurrency"),
        pytest.param(["--count", "0"], "--count must be 1 or more", id="count"),
        pytest.param(["--header", "NoColon"], "expected NAME:VALUE", id="header"),
        pytest.param(["--set", "nonsense"], "expected PATH=VALUE", id="set"),
        pytest.param(["--signature", "forged"], "forged", id="signature-mode"),
        pytest.param(["--client-secret", ""], "--client-secret is empty", id="empty-secret"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    base = {"--url": "https://127.0.0.1:9999/hook", "--client-secret": SECRET}
    options = dict(base)
    rest: list[str] = []
    for name, value in zip(argv[::2], argv[1::2]):
        if name in options:
            options[name] = value
        else:
            rest += [name, value]
    flat = [item for pair in options.items() for item in pair]
    assert main(["send", "order.created", *flat, *rest]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_an_unknown_event_type_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["send", "order.creatd", "--url", "https://example.com/h", "--client-secret", "s"])
    assert code == 2
    assert "unknown Ecwid event type 'order.creatd'" in capsys.readouterr().err


def test_a_missing_secret_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    assert main(["send", "order.created", "--url", "https://example.com/h"]) == 2
    assert "no client secret" in capsys.readouterr().err


def apps_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **events: list[str]) -> Path:
    from tests.receivers.two_apps import SECRETS

    apps = []
    for name, secret in SECRETS.items():
        monkeypatch.setenv(f"APP_SECRET_{name.upper()}", secret)
        app: dict[str, Any] = {
            "name": name,
            "client_secret_env": f"APP_SECRET_{name.upper()}",
            "custom_headers": {"X-Ecwid-App": name},
        }
        if name in events:
            app["events"] = events[name]
        apps.append(app)
    path = tmp_path / "apps.json"
    path.write_text(json.dumps(apps))
    return path


@pytest.mark.parametrize(("receiver_name", "code"), [("two_apps", 0), ("two_apps_one_secret", 1)])
def test_send_as_several_apps_to_one_url(
    receiver_name: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib

    target = type(importlib.import_module(f"tests.receivers.{receiver_name}").app)()
    apps = apps_file(tmp_path, monkeypatch)
    certificates = TestCertificates()
    with LocalHTTPSServer(target, certificates=certificates) as running:
        found = main(
            [
                "send",
                "order.created",
                "--count",
                "2",
                "--url",
                running.url + "/hook",
                "--cacert",
                str(certificates.ca_pem_path),
                "--apps",
                str(apps),
                "--seed",
                "1",
                "--json",
            ]
        )
    certificates.cleanup()
    out = capsys.readouterr().out
    report = json.loads(out)
    assert found == code
    delivered = {
        name: r["summary"]["outcomes"].get("delivered", 0) for name, r in report["apps"].items()
    }
    assert delivered == (
        {"shipping": 2, "loyalty": 2} if code == 0 else {"shipping": 2, "loyalty": 0}
    )
    assert sum(target.effects.values()) == sum(delivered.values())
    assert "conformance-test-loyalty-secret" not in out


def test_send_apps_skip_an_app_that_does_not_subscribe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    apps = apps_file(tmp_path, monkeypatch, shipping=["order.*"], loyalty=["customer.*"])
    code = main(
        ["send", "product.created", "--url", "https://127.0.0.1:1025/hook", "--apps", str(apps)]
    )
    assert code == 2
    assert "no app in --apps subscribes to product.created" in capsys.readouterr().err
