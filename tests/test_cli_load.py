"""``ecwid-mock load``: the locust command line it builds, and bad input as one line (exit 2).

Nothing here needs Locust: the command is printed or Locust's absence is simulated.
"""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ecwid_mock._cli import load, main

URL = "https://127.0.0.1:8443/webhooks/ecwid"
SECRET = "cli-load-test-client-secret"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECWID_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("ECWID_CACERT", raising=False)


def command(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["load", "--print-command", *args]) == 0
    return shlex.split(capsys.readouterr().out)


def option(words: list[str], flag: str) -> str:
    return words[words.index(flag) + 1]


def test_builds_a_headless_run_of_the_bundled_locustfile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = command(capsys, "--url", URL, "-u", "20", "-t", "30s", "--processes", "2")
    assert words[:5] == [sys.executable, "-m", "locust", "-f", str(load.locustfile_path())]
    assert Path(option(words, "-f")).is_file()
    assert "--headless" in words
    assert option(words, "--host") == URL
    assert (option(words, "-u"), option(words, "-r"), option(words, "-t")) == ("20", "20", "30s")
    assert option(words, "--processes") == "2"
    # its own master port, so two runs on one machine never share workers
    assert option(words, "--master-bind-host") == "127.0.0.1"
    assert option(words, "--master-bind-port") == option(words, "--master-port")
    assert int(option(words, "--master-port")) != 5557  # not Locust's default
    assert "--stop-timeout" not in words  # the bundled locustfile's default (13 s) applies
    assert option(words, "--ecwid-profile") == "steady"
    assert SECRET not in " ".join(words)  # the secret goes to the child's environment only


def test_passes_profile_options_and_locust_arguments_after_the_separator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = command(
        capsys, "--url", URL, "--profile", "storm", "--user-rate", "2.5", "--outage-hours", "6",
        "--seed", "7", "--json", "--", "--csv", "results",
    )  # fmt: skip
    assert option(words, "--ecwid-profile") == "storm"
    assert option(words, "--ecwid-user-rate") == "2.5"
    assert option(words, "--ecwid-outage-hours") == "6"
    assert option(words, "--ecwid-seed") == "7"
    assert "--json" in words
    assert words[-2:] == ["--csv", "results"]


def test_master_and_worker_roles(capsys: pytest.CaptureFixture[str]) -> None:
    master = command(capsys, "--url", URL, "--master", "--expect-workers", "3", "-u", "300")
    assert "--master" in master
    assert option(master, "--expect-workers") == "3"
    worker = command(capsys, "--worker", "--master-host", "10.0.0.5")
    assert option(worker, "--master-host") == "10.0.0.5"
    assert "--host" not in worker  # the master hands out the URL


def test_bundled_locustfile_path_matches_the_module(tmp_path: Path) -> None:
    if importlib.util.find_spec("locust") is None:
        pytest.skip("python -m ecwid_mock.locust imports Locust: needs ecwid-mock[locust]")
    printed = subprocess.run(
        [sys.executable, "-m", "ecwid_mock.locust", "--path"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert Path(printed) == load.locustfile_path()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--url", "http://127.0.0.1:8443/h"], "breaks rule 'scheme'", id="http-url"),
        pytest.param([], "--url is required", id="no-url"),
        pytest.param(["--url", URL, "--profile", "storm"], "needs --user-rate", id="storm-rate"),
        pytest.param(["--url", URL, "--master", "--worker"], "exclude each other", id="roles"),
        pytest.param(["--url", URL, "--cacert", "missing.pem"], "no such file", id="cacert"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["load", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_a_missing_secret_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET")
    assert main(["load", "--url", URL]) == 2
    assert capsys.readouterr().err == (
        "ecwid-mock load: error: no client secret: pass --client-secret S or set "
        "ECWID_CLIENT_SECRET\n"
    )


def test_without_the_extra_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        load.importlib.util, "find_spec", lambda name: None if name == "locust" else real(name)
    )
    assert main(["load", "--url", URL]) == 2
    assert capsys.readouterr().err == (
        "ecwid-mock load: error: Locust is not installed: pip install 'ecwid-mock[locust]'\n"
    )


def test_every_command_of_the_load_docs_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "load.md").read_text("utf-8")
    lines = [line.split("#")[0].strip() for line in docs.splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("ecwid-mock load ")]
    assert len(commands) >= 4
    for args in commands:
        cacert = "--cacert" in args
        if cacert:  # the docs' CA file: any existing file will do here
            args[args.index("--cacert") + 1] = __file__
        assert main([args[0], "--print-command", *args[1:]]) == 0, args
        assert "--headless" in capsys.readouterr().out
