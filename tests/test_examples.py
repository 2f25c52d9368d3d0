"""The example receivers in examples/ pass their own test suites, which catch a planted bug.

Each suite runs in a subprocess, as a user runs it (``pytest examples/<name>``), so it uses the
example's own pytest.ini (plugin enabled) rather than this project's configuration.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

#: Example folder -> the framework it needs (installed by the test extras).
FRAMEWORKS = {
    "fastapi_app": "fastapi",
    "flask_app": "flask",
    "django_app": "django",
    "order_fetch_app": "starlette",
}

pytestmark = pytest.mark.slow


def require_framework(module: str) -> None:
    """Fail in CI when a framework is missing (every example must run there); skip elsewhere."""
    if importlib.util.find_spec(module) is not None:
        return
    message = f"{module} is not installed; install the test extras: pip install -e '.[test]'"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI runs every example)", pytrace=False)
    pytest.skip(message)


def run_suite(folder: Path, *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run an example's tests with warnings as errors, free of this run's pytest settings.

    pytest-asyncio is switched off: the examples have no async tests, and it warns about its
    own unset option in any project that does not configure it. So are the plugins only this
    project's test extras bring (a user of ecwid-mock has none of them); Faker's stays, as
    ecwid-mock brings Faker.
    """
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "ECWID_"))
    }
    command = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider"]
    command += ["-p", "no:asyncio", "-W", "error"]
    for plugin in ("hypothesispytest", "xdist", "cov", "locust", "anyio"):
        command += ["-p", f"no:{plugin}"]
    return subprocess.run(
        command, cwd=cwd, env=environ, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize(
    "folder",
    [pytest.param(name, id=name.removesuffix("_app")) for name in FRAMEWORKS],
)
def test_example_suite_passes(folder: str) -> None:
    require_framework(FRAMEWORKS[folder])
    result = run_suite(Path("examples", folder), cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None, output
    assert int(passed.group(1)) > 0, output


SIGNATURE_CHECK = "return hmac.compare_digest(expected, signature.encode())"


def test_receiver_that_accepts_any_signature_fails_its_tests(tmp_path: Path) -> None:
    require_framework("flask")
    copy = tmp_path / "flask_app"
    shutil.copytree(
        EXAMPLES / "flask_app", copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    receiver = copy / "receiver.py"
    source = receiver.read_text(encoding="utf-8")
    assert SIGNATURE_CHECK in source
    receiver.write_text(source.replace(SIGNATURE_CHECK, "return True"), encoding="utf-8")

    result = run_suite(Path("flask_app"), cwd=tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, output
    failed = set(re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE))
    # A missing header is still refused (the app checks it first); every forged one passes.
    assert failed == {
        f"flask_app/test_receiver.py::{test_class}::test_forged_signature_is_rejected[{mode}]"
        for test_class in ("TestReceiver", "TestReceiverOverHTTPS")
        for mode in ("wrong-secret", "hex", "body")
    }, output
    assert "ECWID-MOCK: expected order.created event" in result.stdout, output
    assert "to be rejected by the receiver" in result.stdout, output
    assert "example-client-secret" not in output
