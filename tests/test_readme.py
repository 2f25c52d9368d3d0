"""Every code block of the README is executed here, so the README stays true."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.DOTALL)
BIN = Path(sys.executable).parent


def _block(language: str, contains: str) -> str:
    (found,) = [code for lang, code in BLOCKS if lang == language and contains in code]
    return found


def test_every_block_is_covered_here() -> None:
    covered = [
        _block("bash", "ecwid-mock demo"),
        _block("bash", "python -m pytest"),
        _block("python", "def test_new_order_is_accepted"),
        _block("python", "EventFactory(seed=7"),
        _block("bash", "ecwid-mock events"),
    ]
    assert sorted(covered) == sorted(code for _, code in BLOCKS)


def test_ci_runs_the_readme_test_command() -> None:
    command = _block("bash", "python -m pytest").strip()
    assert command.split("&& ")[-1] in (ROOT / ".ci" / "run").read_text()


#: The fresh-machine commands install from the package index into new virtualenvs (about
#: 45 s); .ci/run runs them once as a step of their own, so the suite skips them.
FRESH_MACHINE = os.environ.get("ECWID_MOCK_FRESH_MACHINE") == "1"
fresh_machine = pytest.mark.skipif(
    not FRESH_MACHINE,
    reason="installs into a fresh venv from the index: .ci/run runs it once "
    "(ECWID_MOCK_FRESH_MACHINE=1)",
)
FRESH_MACHINE_STEP = (
    "ECWID_MOCK_FRESH_MACHINE=1 .venv/bin/python -m pytest -p no:cacheprovider "
    "tests/test_readme.py -k fresh_machine"
)


def test_ci_runs_the_install_commands_once() -> None:
    steps = (ROOT / ".ci" / "run").read_text().splitlines()
    assert steps.count(FRESH_MACHINE_STEP) == 1
    # After the whole suite, which skips them.
    suite = next(i for i, step in enumerate(steps) if step.startswith(".venv/bin/python -m pytest"))
    assert steps.index(FRESH_MACHINE_STEP) > suite


def _source_copy(tmp_path: Path) -> Path:
    """The project as a fresh clone would have it (tracked and new files, no build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    target = tmp_path / "ecwid-mock"
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
@fresh_machine
def test_fresh_machine_demo_command(tmp_path: Path) -> None:
    checkout = _source_copy(tmp_path)
    done = subprocess.run(
        ["bash", "-c", _block("bash", "ecwid-mock demo")],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "46 of 46 steps behaved as Ecwid expects" in done.stdout


@pytest.mark.slow
@fresh_machine
def test_fresh_machine_test_command(tmp_path: Path) -> None:
    checkout = _source_copy(tmp_path)
    # The same command, limited to one quick test file so that it does not recurse.
    env = {**os.environ, "PYTEST_ADDOPTS": "tests/test_exported_members.py -p no:cacheprovider"}
    done = subprocess.run(
        ["bash", "-c", _block("bash", "python -m pytest")],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d+ passed", done.stdout)


MYPROJECT_APP = """
import json

from ecwid_mock import verify_signature


def create_app(client_secret):
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        signature = dict(scope["headers"]).get(b"x-ecwid-webhook-signature", b"").decode()
        status = 200 if verify_signature(body, signature, client_secret) else 401
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app
"""


def test_quickstart(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.mkpydir("myproject")
    (pytester.path / "myproject" / "app.py").write_text(MYPROJECT_APP)
    pytester.makepyfile(
        test_inner_readme_quickstart=_block("python", "def test_new_order_is_accepted")
    )
    pytester.syspathinsert()
    pytester.runpytest("-p", "ecwid").assert_outcomes(passed=2)


def test_library_example(tmp_path: Path) -> None:
    code = _block("python", "EventFactory(seed=7")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    expected = re.search(r"# (storeId: .*)", code)
    assert expected is not None
    assert done.stdout.strip() == expected.group(1)


@pytest.mark.slow
def test_command_tour(tmp_path: Path, order_updated: dict[str, object]) -> None:
    """Each line of the tour, with example.com replaced by a local reference receiver."""
    import json

    from ecwid_mock._servers.reference import reference_receiver
    from ecwid_mock._servers.tls import LocalHTTPSServer

    (tmp_path / "captured.json").write_text(json.dumps(order_updated))
    receiver = reference_receiver(client_secret="S")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    with LocalHTTPSServer(receiver) as server:
        local = f"{server.url}/webhooks/ecwid --cacert {server.certificates.ca_pem_path}"
        for line in _block("bash", "ecwid-mock events").strip().splitlines():
            command = line.split("  #")[0].strip().replace("https://example.com/webhooks", local)
            if command.startswith("ecwid-mock listen"):
                _run_listen(command.replace("8443", "0"), env, tmp_path)
                continue
            done = subprocess.run(
                command,
                shell=True,
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "order-updated.json").exists()
    assert len(receiver.received) > 42


def _run_listen(command: str, env: dict[str, str], cwd: Path) -> None:
    process = subprocess.Popen(
        shlex.split(command),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "https://127.0.0.1:" in first, first
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_readme_stays_short() -> None:
    assert len(README.splitlines()) <= 130
    assert textwrap.dedent(README) == README
