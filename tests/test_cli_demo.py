"""``ecwid-mock demo`` in-process: every step over real HTTPS ends as expected (exit 0)."""

from __future__ import annotations

import pytest

from ecwid_mock._cli import main


def test_the_demo_runs_every_step_as_expected(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "UNEXPECTED" not in out
    assert "order.created" in out
