"""What every command promises: --help with examples, one-line errors with exit code 2.

Most cases call the command line's ``main()`` in this process, as ``python -m ecwid_mock``
does; a few run the real command, to show the process keeps the same promise.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from ecwid_mock._cli import COMMANDS, main

Run = Callable[..., SimpleNamespace]


def _process(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecwid_mock", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``main(args)`` here, with what the process would get: stdin, exit code, no $ECWID_."""
    for name in [n for n in os.environ if n.startswith("ECWID_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NO_COLOR", "1")

    def call(*args: str, stdin: str = "") -> SimpleNamespace:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code: object = main(list(args))
        except SystemExit as exit_:  # argparse's --help and usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return call


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples(run: Run, command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    assert "\nexamples:\n  ecwid-mock " in done.stdout or "\nexamples:\n  " in done.stdout
    assert done.stderr == ""


def test_top_level_help_lists_every_command() -> None:
    done = _process("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in done.stdout


def _commands_built(argv: list[str]) -> list[str]:
    from ecwid_mock._cli import build_parser

    parser = build_parser(argv)
    (subparsers,) = (a for a in parser._actions if a.dest == argparse.SUPPRESS and a.choices)
    return list(subparsers.choices or ())


@pytest.mark.parametrize("argv", [["sign", "-"], ["--no-color", "check"], ["serve-store"]])
def test_a_known_command_builds_only_its_own_parser(argv: list[str]) -> None:
    assert _commands_built(argv) == [next(w for w in argv if not w.startswith("-"))]


@pytest.mark.parametrize("argv", [[], ["--help"], ["sgin"], ["--version"]])
def test_without_a_known_command_every_command_is_listed(argv: list[str]) -> None:
    assert _commands_built(argv) == list(COMMANDS)


BAD_INPUTS = {
    "no-command": [],
    "unknown-command": ["frobnicate"],
    "generate-empty-secret": ["generate", "order.created", "--client-secret", ""],
    "generate-bad-locale": ["generate", "order.created", "--locale", "xx_XX"],
    "schema-unknown-type": ["schema", "order.craeted"],
    "validate-missing-file": ["validate", "no/such/file.json"],
    "generate-unknown-type": ["generate", "order.craeted"],
    "generate-bad-count": ["generate", "order.created", "-n", "many"],
    "generate-bad-set": ["generate", "order.created", "--set", "data.newPaymentStatus"],
    "generate-bad-enum": ["generate", "order.created", "--set", "data.newPaymentStatus=SHIPPED"],
    "generate-bad-signature-mode": ["generate", "order.created", "--signature", "forged"],
    "sign-no-secret": ["sign", "-"],
    "verify-no-signature": ["verify", "--client-secret", "s", "-"],
    "send-http-url": ["send", "order.created", "--url", "http://example.test/x",
                      "--client-secret", "s"],
    "send-bad-port": ["send", "order.created", "--url", "https://example.test:81/x",
                      "--client-secret", "s"],
    "send-password-in-url": ["send", "order.created", "--url", "https://u:hunter2@example.test/",
                             "--client-secret", "s"],
    "send-missing-cacert": ["send", "order.created", "--url", "https://127.0.0.1:8443/",
                            "--client-secret", "s", "--cacert", "no/such/ca.pem"],
    "send-zero-concurrency": ["send", "order.created", "--url", "https://127.0.0.1:8443/",
                              "--client-secret", "s", "--concurrency", "0"],
    "send-empty-secret": ["send", "order.created", "--url", "https://127.0.0.1:8443/",
                          "--client-secret", ""],
    "listen-bad-port": ["listen", "--port", "80"],
    "listen-bad-status": ["listen", "--status", "700"],
    "check-no-target": ["check", "--client-secret", "s"],
    "check-bad-app": ["check", "--app", "no_such_module:app", "--client-secret", "s"],
    "demo-bad-seed": ["demo", "--seed", "x"],
}  # fmt: skip


@pytest.mark.parametrize("args", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_line_and_exit_2(run: Run, args: list[str]) -> None:
    check_one_line_exit_2(run(*args, stdin="{}"))


@pytest.mark.parametrize("case", ["no-command", "send-password-in-url", "validate-missing-file"])
def test_the_command_itself_keeps_the_promise(case: str) -> None:
    check_one_line_exit_2(_process(*BAD_INPUTS[case], stdin="{}"))


def check_one_line_exit_2(done: SimpleNamespace | subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ecwid-mock"), lines[0]
    assert "error" in lines[0]
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr


_LOADED_BY_HELP = """
import contextlib, sys
before = set(sys.modules)
import ecwid_mock
after_import = {name for name in ("typing", "json") if name in sys.modules} - before
from ecwid_mock._cli import main
with contextlib.suppress(SystemExit):
    main(["--help"])
after_help = {name for name in ("typing", "json") if name in sys.modules} - before
print(sorted(after_import), sorted(after_help), sorted({"typing", "json"} & before),
      file=sys.stderr)
"""


def test_the_package_and_top_level_help_load_neither_typing_nor_json() -> None:
    # every pytest run with the plugin imports the package; `--help` is the CLI's first
    # impression (bench P6, I1): typing alone costs them a tenth of their start
    # without coverage's start-up hook (it measures subprocesses too), which loads both
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE_"))}
    found = subprocess.run(
        [sys.executable, "-c", _LOADED_BY_HELP], capture_output=True, text=True, check=True, env=env
    )
    assert found.stdout.startswith("usage: ecwid-mock")
    assert found.stderr.strip() == "[] [] []", found.stderr  # the last: loaded before we ran
