"""docs/store.md: its examples run, and it names every attribute of the fixture's object."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

DOC = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", DOC, flags=re.DOTALL)


def test_the_pytest_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inner_doc=BLOCKS[0])
    pytester.runpytest("-p", "ecwid").assert_outcomes(passed=1)


def test_the_plain_python_example_runs() -> None:
    exec(compile(BLOCKS[1], "docs/store.md", "exec"), {})


def test_every_public_attribute_is_documented() -> None:
    from ecwid_mock import EcwidStore

    public = {n for n in dir(EcwidStore) if not n.startswith("_")} - {"api", "state", "clock"}
    missing = [n for n in sorted(public) if f"`{n}" not in DOC and f" {n}" not in DOC]
    assert missing == []
