"""``ecwid-mock listen --record FILE``: deliveries land in a scrubbed cassette."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from test_cli_listen import SECRET, listener_factory, order_created, post_event

from ecwid_mock import Cassette

__all__ = ["listener_factory"]  # the fixture, imported to be used here


@pytest.mark.slow
def test_listen_records_scrubbed_deliveries(
    listener_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECWID_MOCK_SCRUB_KEY", "listen-record-scrub-key")
    path = tmp_path / "live.jsonl"
    listener = listener_factory("--record", str(path))
    url, ca = listener.banner()
    payload = order_created()
    assert post_event(url, ca, payload) == 200
    listener.read_until("stdout", "#1 ")
    assert listener.stop(signal.SIGINT) == 0
    assert "recorded 1 deliveries" in "\n".join(listener.rest("stderr"))

    (record,) = Cassette.load(path)
    assert record.signature == "valid"
    assert record.schema == "valid"
    assert record.status == 200
    assert record.scrubbed
    recorded = json.loads(record.body)
    assert recorded["storeId"] != payload["storeId"]
    assert recorded["data"]["newPaymentStatus"] == payload["data"]["newPaymentStatus"]
    assert record.header("x-ecwid-webhook-signature") is None
    assert SECRET.encode() not in path.read_bytes()


def test_record_allow_needs_record(capsys: pytest.CaptureFixture[str]) -> None:
    from ecwid_mock._cli import main

    assert main(["listen", "--record-allow", "data.*"]) == 2
    assert "--record-allow goes with --record" in capsys.readouterr().err
