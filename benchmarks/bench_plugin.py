"""pytest start-up with the plugin installed but unused, and what the dependencies' plugins add.

P5  ``pytest`` on one trivial test, every installed plugin autoloaded, <= 10 ms above the same
    run with ``-p no:ecwid``.
P5f the same run against ``-p no:faker`` (informational): Faker, a dependency, registers its
    own pytest plugin, which every user pays for unless they add ``-p no:faker``.

Run: python benchmarks/bench_plugin.py [--quick] [--row P5]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from _harness import Row, RowMaker, Series, Settings, excess_at_most, interleave, main, wall_ms


def startup_rows(settings: Settings) -> list[Row]:
    """P5 pytest start-up, plugin installed but unused"""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    env.pop("PYTEST_ADDOPTS", None)
    with tempfile.TemporaryDirectory(prefix="ecwid-bench-") as folder:
        Path(folder, "test_a.py").write_text("def test_a():\n    pass\n")
        Path(folder, "pytest.ini").write_text("[pytest]\n")
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]

        def run(*extra: str) -> object:
            return wall_ms([*base, *extra], cwd=folder, env=env)

        samples = interleave(
            {"all": run(), "no-ecwid": run("-p", "no:ecwid"), "no-faker": run("-p", "no:faker")},
            settings.pick(15, 5),
        )
    every = Series("pytest, every installed plugin", "ms", samples["all"])
    return [
        Row("P5", every, Series("the same with -p no:ecwid", "ms", samples["no-ecwid"]),
            excess_at_most(10, "ms"), title="pytest start-up, ecwid plugin installed but unused"),
        Row("P5f", every, Series("the same with -p no:faker", "ms", samples["no-faker"]),
            title="pytest start-up: what Faker's own plugin adds (excess)"),
    ]  # fmt: skip


ROWS: dict[str, RowMaker] = {"P5": startup_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
