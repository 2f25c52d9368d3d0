"""The built wheel carries the schemas and works outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SCHEMAS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("ecwid_mock-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_env(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only the wheel installed (by this environment's pip, without its own).

    The dependencies come from this environment, placed after the fresh one's own
    site-packages, so that ecwid_mock itself can only come from the wheel.
    """
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in SCHEMAS.rglob("*.schema.json"):
        assert "ecwid_mock/schemas/" + schema.relative_to(SCHEMAS).as_posix() in names
    assert "ecwid_mock/py.typed" in names
    assert "pytest_ecwid/py.typed" in names
    assert not any(n.startswith(("tests/", "schemas/")) for n in names)
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]\necwid = pytest_ecwid.plugin" in text
    assert "ecwid-mock = ecwid_mock._cli:main" in text


def test_wheel_installed_in_a_fresh_environment_validates(fresh_env: Path, tmp_path: Path) -> None:
    payload = json.loads((SCHEMAS / "events/order/updated.schema.json").read_text())["examples"][0]
    code = (
        "import json, sys, ecwid_mock\n"
        "from ecwid_mock._schemas import catalog as _catalog\n"
        "print(ecwid_mock.__file__)\n"
        "print(_catalog._schema_root())\n"
        "print(ecwid_mock.validate_event(sys.stdin.read(), strict=True)['eventType'])\n"
        "print(len(ecwid_mock.EVENT_TYPES))\n"
    )
    done = subprocess.run(
        [str(fresh_env / "bin" / "python"), "-I", "-c", code],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    module_file, schema_root, event_type, count = done.stdout.split()
    assert module_file.startswith(str(fresh_env))
    assert schema_root.startswith(str(fresh_env))
    assert schema_root.endswith("ecwid_mock/schemas")
    assert (event_type, count) == ("order.updated", "42")


def test_installed_command_runs_the_demo(fresh_env: Path, tmp_path: Path) -> None:
    """The README's `ecwid-mock demo`, from the wheel's console script, outside the source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(fresh_env / "bin" / "ecwid-mock"), "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "46 of 46 steps behaved as Ecwid expects" in done.stdout
