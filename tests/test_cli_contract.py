"""What every command promises: --help with examples, one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecwid_mock._cli import COMMANDS


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecwid_mock", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples(command: str) -> None:
    done = _run(command, "--help")
    assert done.returncode == 0
    assert "\nexamples:\n  ecwid-mock " in done.stdout or "\nexamples:\n  " in done.stdout
    assert done.stderr == ""


def test_top_level_help_lists_every_command() -> None:
    done = _run("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in done.stdout


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
def test_bad_input_is_one_line_and_exit_2(args: list[str]) -> None:
    done = _run(*args, stdin="{}")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ecwid-mock"), lines[0]
    assert "error" in lines[0]
    assert "Traceback" not in done.stderr
    assert "hunter2" not in done.stderr
