"""Start-up of the command line: `ecwid-mock --help` must take at most 100 ms.

Measured against bare `python -c pass` in the same run (median of interleaved runs).
Run: python benchmarks/bench_cli.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _median_ms(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(runs: int = 21) -> list[dict[str, Any]]:
    script = shutil.which("ecwid-mock") or str(Path(sys.executable).parent / "ecwid-mock")
    bare = _median_ms([sys.executable, "-c", "pass"], runs)
    rows = []
    for label, command in (
        ("ecwid-mock --help", [script, "--help"]),
        ("ecwid-mock send --help", [script, "send", "--help"]),
        ("ecwid-mock events", [script, "events"]),
    ):
        value = _median_ms(command, runs)
        limited = label.endswith("--help")
        rows.append(
            {
                "name": f"{label} (median of {runs})",
                "value": value,
                "unit": "ms",
                "baseline": bare,
                "baseline_name": "python -c pass (ms)",
                "ratio": value / bare,
                "goal": "<= 100 ms" if limited else "",
                "ok": value <= 100 if limited else None,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['name']:<40} {row['value']:>8.1f} {row['unit']}  baseline {row['baseline']:.1f} "
            f"({row['baseline_name']})  ratio {row['ratio']:.2f}  goal {row['goal'] or '-'}"
        )
