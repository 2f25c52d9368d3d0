"""The project's own test suite, as a contributor runs it on two cores.

T1  ``python -m pytest -n 2`` <= 60 s, anchored on ``pytest -n 2 --collect-only`` (starting
    the workers and collecting every test, running none). One round: it takes a minute.
    Skipped by ``--quick``.

Run: python benchmarks/bench_suite.py [--row T1]
"""

from __future__ import annotations

import os
import sys

from _harness import ROOT, Row, RowMaker, Settings, Skip, compare, main, value_at_most, wall_ms


def suite_rows(settings: Settings) -> list[Row]:
    """T1 the project's test suite with -n 2"""
    if settings.quick:
        raise Skip("skipped by --quick (runs the whole suite)")
    if not (ROOT / "tests").is_dir():
        raise Skip("no tests/ folder next to benchmarks/")
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return [
        compare(
            "T1",
            ("pytest -n 2, the whole suite", "s", wall_ms(base, scale=1, cwd=ROOT, env=env)),
            ("pytest -n 2 --collect-only", "s",
             wall_ms([*base, "--collect-only"], scale=1, cwd=ROOT, env=env)),
            1,
            value_at_most(60, "s"),
            warm_up=False,
        )
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"T1": suite_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
