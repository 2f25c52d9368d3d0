"""The public API: one sorted __all__, every name importable, nothing heavy at import time."""

from __future__ import annotations

import subprocess
import sys

import ecwid_mock


def test_all_is_sorted_and_complete() -> None:
    names = ecwid_mock.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for name in names:
        assert getattr(ecwid_mock, name) is not None, name
    public = {n for n in dir(ecwid_mock) if not n.startswith("_")}
    assert public <= set(names) | {"annotations"}


def test_every_error_derives_from_the_one_base() -> None:
    errors = [
        getattr(ecwid_mock, n)
        for n in ecwid_mock.__all__
        if isinstance(getattr(ecwid_mock, n), type)
        and issubclass(getattr(ecwid_mock, n), Exception)
    ]
    assert len(errors) >= 7
    assert all(issubclass(e, ecwid_mock.EcwidMockError) for e in errors)


def test_import_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, ecwid_mock; "
        "heavy = {'jsonschema', 'jsonschema_rs', 'httpx', 'faker', 'uvicorn', 'trustme',"
        " 'pytest', 'aiohttp', 'hypothesis', 'starlette'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
