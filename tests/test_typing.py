"""``mypy --strict`` narrows every event type and flags planted misuse, with the exact errors.

The cases live in tests/typing_cases/ (outside the project's own mypy run): ``narrowing.py``
and the Flask example's receiver must check clean; each line of ``misuse.py`` ending in
``# E: <message>`` must get exactly that error, and no other line any.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

CASES = ROOT / "tests" / "typing_cases"
pytestmark = pytest.mark.slow  # a mypy run
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")


@pytest.fixture(scope="module")
def mypy_errors() -> list[tuple[str, int, str]]:
    """One mypy run over both case files (the project's cache keeps it warm)."""
    pytest.importorskip("mypy")
    files = [str((CASES / name).relative_to(ROOT)) for name in ("misuse.py", "narrowing.py")]
    if importlib.util.find_spec("flask") is not None:
        files.append("examples/flask_app/receiver.py")  # an example handler narrows too
    environ = {**os.environ, "MYPYPATH": str(ROOT)}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files]
    done = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    errors = []
    for line in done.stdout.splitlines():
        match = _ERROR.match(line)
        if match:
            name = match["file"].replace("\\", "/").rpartition("/")[2]
            errors.append((name, int(match["line"]), match["message"]))
    return errors


def test_every_event_type_narrows_cleanly(mypy_errors: list[tuple[str, int, str]]) -> None:
    assert [e for e in mypy_errors if e[0] != "misuse.py"] == []


def test_planted_misuse_gets_exactly_the_expected_errors(
    mypy_errors: list[tuple[str, int, str]],
) -> None:
    expected = [
        ("misuse.py", number, line.partition("  # E: ")[2])
        for number, line in enumerate(
            (CASES / "misuse.py").read_text(encoding="utf-8").splitlines(), 1
        )
        if "  # E: " in line
    ]
    assert len(expected) == 5
    assert [e for e in mypy_errors if e[0] == "misuse.py"] == expected
