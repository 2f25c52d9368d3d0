"""Cassettes in pytest: record a test's deliveries, replay them re-signed, record modes."""

from __future__ import annotations

import json

import pytest

CONFTEST = """
import json
import pytest
from ecwid_mock import verify_signature

SEEN = []

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    signature = dict(scope["headers"]).get(b"x-ecwid-webhook-signature")
    ok = verify_signature(body, signature, "cassette-test-secret")
    SEEN.append((json.loads(body)["eventId"], ok))
    await send({"type": "http.response.start", "status": 200 if ok else 401, "headers": []})
    await send({"type": "http.response.body", "body": b""})

@pytest.fixture(scope="session")
def ecwid_app():
    return app

@pytest.fixture
def seen():
    SEEN.clear()
    return SEEN
"""
INI = "[pytest]\necwid_client_secret = cassette-test-secret\n"
RECORD = """
def test_hooks(ecwid):
    ecwid.send("order.created").assert_delivered()
    ecwid.send("order.updated").assert_delivered()
"""
REPLAY = """
import pytest

@pytest.mark.ecwid_cassette("tests/cassettes/test_record/test_hooks.jsonl")
def test_replayed(ecwid, seen):
    deliveries = ecwid.replay()
    assert [d.delivered for d in deliveries] == [True, True]
    assert [ok for _, ok in seen] == [True, True]
    again = ecwid.replay(duplicates=1)
    ids = [d.event.event_id for d in again]
    assert len(ids) == 4
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
"""
RUN = ("-p", "ecwid", "-p", "no:asyncio", "-p", "no:locust", "-p", "no:cacheprovider")


def test_record_once_then_replay_re_signed(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.makepyfile(test_record=RECORD)
    pytester.runpytest(*RUN).assert_outcomes(passed=1)
    cassette = pytester.path / "tests" / "cassettes" / "test_record" / "test_hooks.jsonl"
    assert not cassette.exists()  # record mode none (the default) writes nothing
    pytester.runpytest(*RUN, "--ecwid-record-mode=once").assert_outcomes(passed=1)
    lines = cassette.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "cassette-test-secret" not in cassette.read_text(encoding="utf-8")
    assert all(
        "x-ecwid-webhook-signature" not in json.dumps(json.loads(line)).lower() for line in lines
    )
    pytester.runpytest(*RUN, "--ecwid-record-mode=once").assert_outcomes(passed=1)
    assert len(cassette.read_text(encoding="utf-8").splitlines()) == 2  # once: kept as it was
    pytester.runpytest(*RUN, "--ecwid-record-mode=new").assert_outcomes(passed=1)
    assert len(cassette.read_text(encoding="utf-8").splitlines()) == 2  # the same seeded events
    pytester.runpytest(*RUN, "--ecwid-record-mode=new", "--ecwid-seed=1").assert_outcomes(passed=1)
    assert len(cassette.read_text(encoding="utf-8").splitlines()) == 4  # new events appended
    pytester.runpytest(*RUN, "--ecwid-record-mode=all").assert_outcomes(passed=1)
    assert len(cassette.read_text(encoding="utf-8").splitlines()) == 2  # recorded again
    pytester.makepyfile(test_replay=REPLAY)
    pytester.runpytest(*RUN, "test_replay.py").assert_outcomes(passed=1)


def test_an_unknown_record_mode_is_one_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "ecwid_record_mode = sometimes\n")
    pytester.makepyfile(test_x="def test_x(): pass\n")
    result = pytester.runpytest(*RUN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*invalid record mode 'sometimes' (from ini file: ecwid_record_mode)*"]
    )
