"""docs/reference.md names everything that exists, and its code runs."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from ecwid_mock._cli import COMMANDS
from ecwid_mock._events.signature_modes import SIGNATURE_MODES
from pytest_ecwid import plugin

REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")


def test_every_fixture_is_documented() -> None:
    fixtures = [
        name
        for name, value in vars(plugin).items()
        if name.startswith("ecwid") and type(value).__name__ == "FixtureFunctionDefinition"
    ]
    assert len(fixtures) >= 9
    for name in fixtures:
        assert f"| `{name}` |" in REFERENCE, name


def test_every_setting_is_documented() -> None:
    for name in plugin.HELP:
        assert f"`ecwid_{name}`" in REFERENCE, name


def test_signature_modes_table_matches_the_code() -> None:
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", REFERENCE, flags=re.MULTILINE))
    documented = {mode: rows[mode] for mode in rows if mode in SIGNATURE_MODES}
    assert documented == dict(SIGNATURE_MODES)


def test_every_command_is_documented() -> None:
    for name in COMMANDS:
        assert f"`ecwid-mock {name}" in REFERENCE, name


def test_hypothesis_pattern_runs(pytester: pytest.Pytester) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", REFERENCE, flags=re.DOTALL)
    pytester.makeconftest(
        """
        import pytest
        from ecwid_mock._servers.reference import reference_receiver

        @pytest.fixture(scope="session")
        def ecwid_app(ecwid_client_secret):
            return reference_receiver(client_secret=ecwid_client_secret)
        """
    )
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inner_given=code.replace("@settings(", "@settings(max_examples=15, "))
    pytester.runpytest("-p", "ecwid").assert_outcomes(passed=1)
