"""Cassettes: one delivery a line, bodies kept exactly, every bad line reported, none lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replay_helpers import ODD_BODY, order_body

from ecwid_mock import BadLine, Cassette, Interaction, cassette_path


def test_a_cassette_keeps_every_field_of_a_delivery(tmp_path: Path) -> None:
    original = Interaction(
        body=ODD_BODY,
        path="/hook",
        query="eventtype=promotion.updated",
        headers=(("content-type", "application/json"), ("x-a", "1"), ("x-a", "2")),
        received_at=1764626400.25,
        status=202,
        elapsed=0.0125,
        signature="valid",
        schema="invalid",
        schema_problems=("data.big",),
        scrubbed=True,
    )
    cassette = Cassette(tmp_path / "sub" / "c.jsonl")
    cassette.append(original)
    (loaded,) = Cassette.load(tmp_path / "sub" / "c.jsonl")
    assert loaded == original
    assert loaded.line == 1
    line = json.loads((tmp_path / "sub" / "c.jsonl").read_text())
    assert line["version"] == 1
    assert line["request"]["body"] == {"encoding": "utf-8", "string": ODD_BODY.decode()}
    assert line["recorded_at"] == "2025-12-01T22:00:00.250000Z"
    assert set(line) == {"version", "recorded_at", "request", "response", "verdicts", "scrubbed"}


def test_a_body_that_is_not_utf8_is_stored_as_base64() -> None:
    body = b"\xff\x00binary"
    line = Interaction(body=body).to_line()
    assert json.loads(line)["request"]["body"]["encoding"] == "base64"
    assert Cassette.loads(line)[0].body == body


def test_every_bad_line_is_reported_and_every_good_one_kept() -> None:
    good = Interaction(body=order_body()).to_line()
    text = "\n".join(
        [
            good,
            "{not json",
            json.dumps({"version": 99, "request": {}}),
            good,
            "",
            json.dumps({"version": 1, "request": {"body": {"encoding": "rot13", "string": ""}}}),
            "[]",
            good,
            json.dumps({"version": 1, "request": {"body": {"encoding": "base64", "string": "!"}}}),
        ]
    )
    cassette = Cassette.loads(text)
    assert [i.line for i in cassette] == [1, 4, 8]
    assert [b.line for b in cassette.bad_lines] == [2, 3, 6, 7, 9]
    reasons = dict(cassette.bad_lines)
    assert "not JSON" in reasons[2]
    assert "version 99" in reasons[3]
    assert "rot13" in reasons[6]
    assert "not a JSON object" in reasons[7]
    assert "base64" in reasons[9]
    assert str(BadLine(2, "x")) == "line 2: x"


@pytest.mark.parametrize(
    ("module", "test", "expected"),
    [
        ("tests/test_hooks.py", "test_paid", "tests/cassettes/test_hooks/test_paid.jsonl"),
        ("tests.api.test_hooks", "test_paid", "tests/cassettes/test_hooks/test_paid.jsonl"),
        (
            "test_hooks.py",
            "test_x[order.created-1]",
            "tests/cassettes/test_hooks/test_x_order.created-1.jsonl",
        ),
    ],
)
def test_cassette_path(module: str, test: str, expected: str) -> None:
    assert cassette_path(module, test) == Path(expected)


def test_cassette_path_takes_a_root() -> None:
    assert cassette_path("t.py", "test_a", root="cas") == Path("cas/t/test_a.jsonl")


def test_a_line_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = Interaction(body=order_body()).to_line().encode()
    path.write_bytes(good + b"\n\xff\xfe\n" + good + b"\n")
    cassette = Cassette.load(path)
    assert [i.line for i in cassette] == [1, 3]
    assert cassette.bad_lines == [BadLine(2, "not UTF-8")]
