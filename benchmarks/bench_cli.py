"""Start-up of the command line against a bare interpreter.

P6  ``ecwid-mock --help`` <= 50 ms wall time, anchored on ``python -c pass``.
P6b ``ecwid-mock events`` (informational: loads the catalogue).

Run: python benchmarks/bench_cli.py [--quick] [--row P6]
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from _harness import Row, RowMaker, Settings, compare, main, value_at_most, wall_ms


def _command() -> list[str]:
    script = shutil.which("ecwid-mock") or str(Path(sys.executable).parent / "ecwid-mock")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "ecwid_mock"]


def help_rows(settings: Settings) -> list[Row]:
    """P6 ecwid-mock --help start-up"""
    rounds = settings.pick(21, 7)
    bare = ("python -c pass", "ms", wall_ms([sys.executable, "-c", "pass"]))
    return [
        compare("P6", ("ecwid-mock --help", "ms", wall_ms([*_command(), "--help"])), bare,
                rounds, value_at_most(50, "ms")),
        compare("P6b", ("ecwid-mock events", "ms", wall_ms([*_command(), "events"])), bare,
                rounds),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"P6": help_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
