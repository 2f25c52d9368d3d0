"""``ecwid-mock demo`` as a newcomer reads it: HTTPS shown, alike steps grouped, what to do next."""

from __future__ import annotations

import json
import re

import pytest

from ecwid_mock._cli import main
from ecwid_mock._schemas.catalog import event_types


@pytest.mark.slow
def test_the_demo_shows_https_groups_alike_steps_and_ends_with_next_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert re.match(r"receiver: https://127\.0\.0\.1:(\d+)/\S+ \(HTTPS on port \1, TLS", lines[0])
    assert lines[1].startswith("certificate: a throwaway trustme CA")
    grouped = [line for line in lines if line.startswith("every event type")]
    assert len(grouped) == 1
    assert f"{len(event_types())} event types" in grouped[0]
    assert "1 each" in grouped[0]
    assert "ecwid-mock check" in out
    assert "Quickstart" in out
    assert out.rstrip().splitlines()[-1].strip().startswith("ecwid-mock check")


@pytest.mark.slow
def test_the_demo_json_names_the_receiver(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["receiver"]["url"].startswith("https://127.0.0.1:")
    assert report["ok"] is True
    assert len(report["steps"]) == len(event_types()) + 4
