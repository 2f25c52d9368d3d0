"""`ecwid-mock generate`, `sign` and `verify`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecwid_mock import EventFactory, sign, validate_event, verify_signature
from ecwid_mock._cli import main
from ecwid_mock._cli._common import parse_set as parse_assignment
from ecwid_mock._events.factory import TEST_CLIENT_SECRET

SECRET = "cli-s3cr3t"
START = 1_725_408_000  # --clock-start pins eventCreated, so the bytes can be compared
PINNED = ["--clock-start", str(START)]


@pytest.fixture(autouse=True)
def no_secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def feed(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)


# --- generate -----------------------------------------------------------------------------


def test_generate_writes_signed_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["generate", "order.updated", "-n", "3", "--seed", "7", *PINNED], capsys)
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    factory = EventFactory(seed=7, start=START)
    expected = [factory.build("order.updated").body.decode() for _ in range(3)]
    assert lines == expected
    for line in lines:
        validate_event(line, strict=True)


def test_generate_without_seed_prints_the_seed_to_replay(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["generate", "customer.created", *PINNED], capsys)
    assert code == 0
    seed = int(err.split("seed ")[1].split()[0])
    _, replay, _ = run(["generate", "customer.created", "--seed", str(seed), *PINNED], capsys)
    assert replay == out


def test_generate_with_headers(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "order.created", "--seed", "3", "--with-headers", "--client-secret", SECRET]
    code, out, _ = run([*args, *PINNED], capsys)
    assert code == 0
    line = json.loads(out)
    assert list(line) == ["headers", "query", "body"]
    assert line["query"] == {"eventtype": "order.created"}
    assert line["headers"]["Content-Type"] == "application/json; charset=UTF-8"
    body = json.dumps(line["body"], separators=(",", ":"), ensure_ascii=False)
    assert body == EventFactory(seed=3, start=START).build("order.created").body.decode()
    assert verify_signature(body, line["headers"]["X-Ecwid-Webhook-Signature"], SECRET)


def test_generate_secret_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECWID_CLIENT_SECRET", SECRET)
    _, out, err = run(["generate", "product.created", "--seed", "1", *PINNED], capsys)
    event = EventFactory(seed=1, client_secret=SECRET, start=START).build("product.created")
    assert out.strip() == event.body.decode()
    assert SECRET not in out + err


def test_generate_dates_events_from_now_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    before = int(time.time())
    _, out, _ = run(["generate", "order.created", "-n", "3", "--seed", "1"], capsys)
    created = [json.loads(line)["eventCreated"] for line in out.splitlines()]
    assert before <= created[0] <= int(time.time())
    assert created == sorted(created)


@pytest.mark.parametrize("when", [str(START), "2024-09-04T00:00:00Z", "2024-09-04T02:00:00+02:00"])
def test_generate_clock_start_pins_event_created(
    when: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["generate", "order.created", "--seed", "1", "--clock-start", when], capsys)
    assert json.loads(out)["eventCreated"] == START


def test_generate_bad_clock_start_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["generate", "order.created", "--clock-start", "yesterday"], capsys)
    assert code == 2
    assert out == ""
    assert "'yesterday' (from --clock-start)" in err
    assert len(err.strip().splitlines()) == 1


def test_generate_default_secret_is_the_test_secret(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["generate", "order.created", "--seed", "1", "--with-headers"], capsys)
    line = json.loads(out)
    signature = line["headers"]["X-Ecwid-Webhook-Signature"]
    assert verify_signature(json.dumps(line["body"]), signature, TEST_CLIENT_SECRET)


def test_generate_set_unset_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "generate",
        "order.updated",
        "--seed",
        "2",
        "--store-id",
        "1003",
        "--set",
        "data.newPaymentStatus=PAID",
        "--set",
        "entityId=42",
        "--order-id-prefix",
        "SALE-",
    ]
    code, out, _ = run(args, capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["storeId"] == 1003
    assert payload["entityId"] == 42
    assert payload["data"]["newPaymentStatus"] == "PAID"
    assert payload["data"]["orderId"].startswith("SALE-")

    args = ["generate", "order.deleted", "--seed", "2", "--unset", "data", "--no-validate"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "data" not in json.loads(out)


def test_generate_signature_modes(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "order.created", "--seed", "4", "--with-headers", "--signature", "missing"]
    _, out, _ = run(args, capsys)
    assert "X-Ecwid-Webhook-Signature" not in json.loads(out)["headers"]
    args[-1] = "wrong-secret"
    _, out, _ = run(args, capsys)
    line = json.loads(out)
    signature = line["headers"]["X-Ecwid-Webhook-Signature"]
    assert not verify_signature(json.dumps(line["body"]), signature, TEST_CLIENT_SECRET)


def test_generate_mixed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["generate", "mixed", "-n", "50", "--seed", "5"], capsys)
    assert code == 0
    types = {json.loads(line)["eventType"] for line in out.splitlines()}
    assert len(types) > 5
    _, none, _ = run(["generate", "order.created", "-n", "0", "--seed", "5"], capsys)
    assert none == ""


def test_generate_writes_utf8_whatever_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "order.created", "--seed", "1", "--set", "data.orderId=ÅÄÖ-日本"]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert json.loads(out)["data"]["orderId"] == "ÅÄÖ-日本"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["order.creatd"],
            "unknown Ecwid event type 'order.creatd'; did you mean 'order.created'",
            id="type",
        ),
        pytest.param(
            ["order.creatd", "-n", "0"], "unknown Ecwid event type 'order.creatd'", id="type-n0"
        ),
        pytest.param(
            ["order.updated", "--set", "data.newPaymentStatus"],
            "--set 'data.newPaymentStatus': expected PATH=VALUE",
            id="set-syntax",
        ),
        pytest.param(
            ["order.updated", "--set", "=PAID"], "--set '=PAID': expected PATH=VALUE", id="no-path"
        ),
        pytest.param(
            ["order.updated", "--set", 'data={"orderId": '],
            "--set data: value '{\"orderId\": ' looks like JSON but does not parse",
            id="bad-json",
        ),
        pytest.param(
            ["order.updated", "--set", "data.newPaymentStatus=SHIPPED"],
            "override 'data.newPaymentStatus': 'SHIPPED' is not one of AWAITING_PAYMENT",
            id="bad-value",
        ),
        pytest.param(
            ["order.updated", "--signature", "forged"],
            "invalid signature mode 'forged' (from --signature): must be one of valid",
            id="mode",
        ),
        pytest.param(["order.updated", "-n", "-1"], "-n must be 0 or more", id="negative-n"),
        pytest.param(
            ["mixed", "--set", "entityId=1"], "--set and --unset need one event type", id="mixed"
        ),
        pytest.param(["order.updated", "--store-id", "x"], "invalid int value: 'x'", id="store"),
        pytest.param(
            ["order.updated", "--locale", "klingon"], "invalid locale 'klingon'", id="locale"
        ),
    ],
)
def test_generate_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["generate", *args, "--seed", "1"])
    except SystemExit as exc:  # argparse's own checks (--store-id x)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_parse_assignment_json_or_text() -> None:
    assert parse_assignment("entityId=42") == ("entityId", 42)
    assert parse_assignment("data.x=true") == ("data.x", True)
    assert parse_assignment("data=null") == ("data", None)
    assert parse_assignment('data.orderId="42"') == ("data.orderId", "42")
    assert parse_assignment("data.orderId=01234") == ("data.orderId", "01234")
    assert parse_assignment("data.orderId=K8XTQ") == ("data.orderId", "K8XTQ")
    assert parse_assignment("data.note=a=b") == ("data.note", "a=b")
    assert parse_assignment('data={"orderId":"X"}') == ("data", {"orderId": "X"})


# --- sign and verify ----------------------------------------------------------------------

VECTOR_BODY = (
    b'{"eventId":"95ed494f-362d-4fca-933d-f5c7064b04bb","eventCreated":1634209655,'
    b'"storeId":1003,"entityId":1,"eventType":"product.updated"}'
)
VECTOR_SIGNATURE = "NoLsApTwIZWkNZqX2Bi85FLwQkjL6WSGBoUs7unubrM="


def test_sign_prints_the_signature(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(VECTOR_BODY)
    code, out, _ = run(["sign", "--client-secret", "abcde123456789", str(body)], capsys)
    assert code == 0
    assert out == VECTOR_SIGNATURE + "\n"


def test_sign_json_lines_from_stdin_with_env_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = EventFactory(seed=1, client_secret=SECRET)
    events = [factory.build("order.created") for _ in range(3)]
    feed(monkeypatch, b"\n".join(e.body for e in events) + b"\n")
    monkeypatch.setenv("ECWID_CLIENT_SECRET", SECRET)
    code, out, _ = run(["sign"], capsys)
    assert code == 0
    assert out.splitlines() == [e.signature for e in events]


def test_sign_accepts_lines_written_with_headers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(["generate", "order.created", "--seed", "1", "--with-headers"], capsys)
    feed(monkeypatch, out.encode())
    _, signature, _ = run(["sign", "--client-secret", TEST_CLIENT_SECRET, "-"], capsys)
    assert signature.strip() == json.loads(out)["headers"]["X-Ecwid-Webhook-Signature"]


@pytest.mark.parametrize(
    ("command", "data", "message"),
    [
        pytest.param("sign", b"not json", "<stdin>: not JSON: Expecting value", id="not-json"),
        pytest.param("sign", b"", "<stdin>: empty input", id="empty"),
        pytest.param("sign", b"\xff", "<stdin>: not UTF-8 text", id="binary"),
        pytest.param("sign", b"[1]", "<stdin>: expected a JSON object", id="array"),
        pytest.param(
            "sign",
            b'{"eventCreated": "1", "eventId": "a"}',
            "eventCreated must be an integer (UNIX seconds, 0 to 2**63 - 1), but got '1'",
            id="created-text",
        ),
        pytest.param(
            "sign",
            b'{"eventCreated": 1}',
            "eventId must be a string, but got None",
            id="no-event-id",
        ),
        pytest.param(
            "sign", b'{"eventCreated": 1, "eventId": "a"}\nnope\n', "<stdin> line 2", id="bad-line"
        ),
        pytest.param("verify", b"{}", "eventCreated must be an integer", id="verify-body"),
        pytest.param(
            "verify",
            VECTOR_BODY + b"\n" + VECTOR_BODY,
            "2 bodies; verify checks one body at a time",
            id="verify-lines",
        ),
    ],
)
def test_sign_and_verify_bad_input(
    command: str,
    data: bytes,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed(monkeypatch, data)
    args = [command, "--client-secret", SECRET]
    if command == "verify":
        args += ["--signature", "x"]
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert SECRET not in err


@pytest.mark.parametrize("command", ["sign", "verify"])
def test_secret_is_required_to_sign_and_verify(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, VECTOR_BODY)
    args = [command] + (["--signature", VECTOR_SIGNATURE] if command == "verify" else [])
    code, _, err = run(args, capsys)
    assert code == 2
    assert "no client secret: pass --client-secret S or set ECWID_CLIENT_SECRET" in err


def test_unreadable_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing.json")
    code, _, err = run(["sign", "--client-secret", "k", missing], capsys)
    assert code == 2
    assert "cannot read file" in err
    assert "missing.json" in err


def test_verify_exit_codes_and_hints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(VECTOR_BODY)
    base = ["verify", "--client-secret", "abcde123456789", str(body), "--signature"]
    code, out, _ = run([*base, VECTOR_SIGNATURE], capsys)
    assert (code, "valid signature" in out) == (0, True)

    code, out, _ = run([*base, "x" + VECTOR_SIGNATURE[1:]], capsys)
    assert code == 1
    assert "invalid signature: it does not match" in out

    factory = EventFactory(seed=1, client_secret="abcde123456789")
    for mode, hint in (("hex", "hex-encoded"), ("body", "an HMAC of the body")):
        event = factory.build("order.created", signature=mode)
        body.write_bytes(event.body)
        code, out, _ = run([*base, event.signature or ""], capsys)
        assert code == 1
        assert hint in out

    stale = factory.build("order.created", signature="stale")
    feed(monkeypatch, stale.body)
    monkeypatch.setenv("ECWID_CLIENT_SECRET", "abcde123456789")
    code, _, _ = run(["verify", "--signature", stale.signature or ""], capsys)
    assert code == 0


def test_sign_then_verify_round_trip(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = EventFactory(seed=2).build("customer.updated")
    feed(monkeypatch, event.body)
    _, signature, _ = run(["sign", "--client-secret", SECRET], capsys)
    assert signature.strip() == sign(event.event_created, event.event_id, SECRET)


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("generate", "sign", "verify"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        out, _ = capsys.readouterr()
        assert "examples:" in out
        assert f"ecwid-mock {command}" in out.split("examples:")[1]
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    out, _ = capsys.readouterr()
    assert "tampered" in out
    assert "undetectable by design" in out


def test_console_script_pipeline() -> None:
    script = Path(sys.executable).with_name("ecwid-mock")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ecwid_mock"]
    generated = subprocess.run(
        [*command, "generate", "order.created", "--seed", "9", "--client-secret", SECRET, *PINNED],
        capture_output=True,
        check=True,
    )
    signed = subprocess.run(
        [*command, "sign", "--client-secret", SECRET, "-"],
        input=generated.stdout,
        capture_output=True,
        check=True,
    )
    expected = EventFactory(seed=9, client_secret=SECRET, start=START).build("order.created")
    assert generated.stdout == expected.body + b"\n"
    assert signed.stdout.decode().strip() == expected.signature
    verified = subprocess.run(
        [*command, "verify", "--signature", "AAAA", "--client-secret", SECRET, "-"],
        input=generated.stdout,
        capture_output=True,
    )
    assert verified.returncode == 1
