"""Start-up of the command line against a bare interpreter.

P6  ``ecwid-mock --help`` <= 50 ms wall time, anchored on ``python -c pass``.
    Judged on CPU time (user + system): waiting for a core on a shared machine does not
    count; on an idle machine wall time is about the same. P6w: the same in wall time.
P6b ``ecwid-mock events`` (informational: loads the catalogue).

Run: python benchmarks/bench_cli.py [--quick] [--row P6]
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from _harness import Row, RowMaker, Settings, compare, cpu_ms, main, value_at_most, wall_ms


def _command() -> list[str]:
    script = shutil.which("ecwid-mock") or str(Path(sys.executable).parent / "ecwid-mock")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "ecwid_mock"]


def help_rows(settings: Settings) -> list[Row]:
    """P6 ecwid-mock --help start-up"""
    rounds = settings.pick(21, 7)
    bare = ("python -c pass", "ms CPU", cpu_ms([sys.executable, "-c", "pass"]))
    return [
        compare("P6", ("ecwid-mock --help", "ms CPU", cpu_ms([*_command(), "--help"])), bare,
                rounds, value_at_most(50, "ms")),
        compare("P6w", ("ecwid-mock --help, wall time", "ms",
                        wall_ms([*_command(), "--help"])),
                ("python -c pass, wall time", "ms", wall_ms([sys.executable, "-c", "pass"])),
                rounds),
        compare("P6b", ("ecwid-mock events", "ms CPU", cpu_ms([*_command(), "events"])), bare,
                rounds),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"P6": help_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
