"""docs/replay.md: its replay example runs and its claims name real things."""

from __future__ import annotations

import re

from conftest import ROOT

import ecwid_mock

DOC = (ROOT / "docs" / "replay.md").read_text(encoding="utf-8")


def test_the_replay_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC, flags=re.DOTALL)
    replay = next(b for b in blocks if "replay_events" in b)
    exec(compile(replay, "docs/replay.md", "exec"), {})


def test_the_capture_example_names_public_things() -> None:
    capture = next(b for b in re.findall(r"```python\n(.*?)```", DOC, re.DOTALL) if "Capture" in b)
    for name in re.findall(r"from ecwid_mock import (.*)", capture)[0].split(", "):
        assert name.strip() in ecwid_mock.__all__


def test_the_cassette_example_is_the_format_written() -> None:
    (block,) = re.findall(r"```json\n(.*?)```", DOC, flags=re.DOTALL)
    line = ecwid_mock.Interaction(body=b"{}").as_dict()
    for key in ("version", "recorded_at", "request", "response", "verdicts", "scrubbed"):
        assert f'"{key}"' in block
        assert key in line
    for key in line["request"]:
        assert f'"{key}"' in block


def test_the_readme_links_here() -> None:
    assert "(docs/replay.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
