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
    """One mypy run over both case files (a cache of its own in .mypy_cache keeps it warm).

    Imports are not followed: mypy checks the files listed, and what they import from other
    modules is ``Any``. The cases need only the event types and ``parse_event`` (its module,
    wherever the package defines it); following the rest of ecwid_mock would check all of it
    (and httpx, jsonschema, Faker...) again: seconds of CPU on a cold cache (a clean clone).
    Should a case come to need a module not listed, its names would be ``Any``: the
    ``assert_type`` lines fail and planted errors go missing, so the test fails, never passes
    unseen. Flask is not followed either: what is checked is that the example's handler
    narrows ``WebhookEvent``; Flask's route decorator is then untyped (allowed here).
    """
    pytest.importorskip("mypy")
    from ecwid_mock import parse_event

    parse_module = parse_event.__module__.replace(".", "/") + ".py"
    files = ["ecwid_mock/__init__.py", "ecwid_mock/types.py", parse_module]
    files += [str((CASES / name).relative_to(ROOT)) for name in ("misuse.py", "narrowing.py")]
    # Its own cache: the project's mypy run follows imports, and each would invalidate the
    # other's entries for the modules both check.
    options = ["--follow-imports=skip", "--cache-dir", ".mypy_cache/typing-cases"]
    if importlib.util.find_spec("flask") is not None:
        files.append("examples/flask_app/receiver.py")  # an example handler narrows too
        options.append("--allow-untyped-decorators")  # Flask's route, unfollowed: Any
    environ = {**os.environ, "MYPYPATH": str(ROOT)}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *options]
    command += files
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
