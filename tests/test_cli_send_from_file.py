"""``ecwid-mock send --from-file``: own bodies, re-signed, sent byte for byte; bad lines told."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgi import read_body
from replay_helpers import ODD_BODY, order_body

from ecwid_mock import Cassette, Interaction, LocalHTTPSServer, TestCertificates, verify_signature
from ecwid_mock._cli import main

SECRET = "cli-from-file-test-secret"


class Receiver:
    """Keeps every body and whether its signature verified; answers 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.signed: list[bool] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = dict(scope["headers"])
        self.bodies.append(body)
        self.signed.append(
            verify_signature(body, headers.get(b"x-ecwid-webhook-signature"), SECRET)
        )
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[LocalHTTPSServer, Receiver]]:
    receiver = Receiver()
    certificates = TestCertificates()
    with LocalHTTPSServer(receiver, certificates=certificates) as running:
        yield running, receiver
    certificates.cleanup()


@pytest.fixture
def receiver(server: tuple[LocalHTTPSServer, Receiver]) -> Receiver:
    server[1].bodies.clear()
    server[1].signed.clear()
    return server[1]


def send_file(server: tuple[LocalHTTPSServer, Receiver], source: str, *extra: str) -> int:
    running = server[0]
    return main(
        [
            "send",
            "--from-file",
            source,
            "--url",
            running.url + "/hook",
            "--cacert",
            str(running.certificates.ca_pem_path),
            "--client-secret",
            SECRET,
            *extra,
        ]
    )


def test_one_body_is_sent_byte_for_byte_and_signed(
    server: Any, receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(ODD_BODY + b"\n")
    assert send_file(server, str(path)) == 0
    assert receiver.bodies == [ODD_BODY]
    assert receiver.signed == [True]
    assert "all delivered" in capsys.readouterr().out


def test_each_bad_line_is_reported_and_no_good_line_is_lost(
    server: Any, receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [order_body(event_id=f"id-{n}") for n in range(4)]
    lines = [good[0], b"{oops", good[1], b"[1]", b'{"no": "event"}', good[2], b"", good[3]]
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert send_file(server, str(path)) == 2  # bad input, after sending every good body
    assert sorted(receiver.bodies) == sorted(good)
    assert all(receiver.signed)
    out = capsys.readouterr()
    reported = [line for line in out.err.splitlines() if "(not sent)" in line]
    assert [re.search(r"line (\d+)", r).group(1) for r in reported] == ["2", "4", "5"]  # type: ignore[union-attr]
    assert all(str(path) in r for r in reported)
    assert re.search(r"^delivered +4$", out.out, re.M)
    assert SECRET not in out.out + out.err


def test_a_cassette_from_standard_input(
    server: Any,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cassette = Cassette()
    cassette.extend(Interaction(body=order_body(event_id=f"c-{n}")) for n in range(3))
    text = "\n".join(i.to_line() for i in cassette) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert send_file(server, "-", "--json") == 0
    assert sorted(receiver.bodies) == sorted(i.body for i in cassette)
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["total"] == 3
    assert report["failures_total"] == 0


def test_fresh_time_and_new_ids(
    server: Any, receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bodies.jsonl"
    path.write_bytes(b"\n".join(order_body(event_id=f"i{n}", created=1_000 + n) for n in range(2)))
    assert send_file(server, str(path), "--fresh-time", "--new-ids", "--concurrency", "1") == 0
    payloads = sorted((json.loads(b) for b in receiver.bodies), key=lambda p: p["eventCreated"])
    assert payloads[1]["eventCreated"] - payloads[0]["eventCreated"] == 1
    assert payloads[1]["eventCreated"] > 1_700_000_000
    assert {p["eventId"] for p in payloads}.isdisjoint({"i0", "i1"})
    assert all(receiver.signed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["order.created"], "not both", id="type-and-file"),
        pytest.param(["--signature", "invalid"], "generated events only", id="signature"),
        pytest.param(["--count", "3"], "generated events only", id="count"),
    ],
)
def test_options_that_do_not_fit_are_one_line_and_exit_2(
    server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(order_body())
    assert send_file(server, str(path), *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_file_with_no_body_is_exit_2(
    server: Any, receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"nope\n[]\n")
    assert send_file(server, str(path)) == 2
    err = capsys.readouterr().err
    assert "no body to send" in err
    assert err.count("(not sent)") == 2
    assert receiver.bodies == []


def test_a_missing_file_is_exit_2(server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert send_file(server, "does-not-exist.jsonl") == 2
    assert "cannot read --from-file" in capsys.readouterr().err


def test_no_type_and_no_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", "--url", "https://example.com/h", "--client-secret", "s"]) == 2
    assert "--from-file" in capsys.readouterr().err
