"""pytest start-up with the plugin installed but unused, and what the dependencies' plugins add.

P5  ``pytest`` on one trivial test with only this plugin (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
    -p pytest_ecwid.plugin``) <= 10 ms above the same run loading an empty plugin module the
    same way. Isolated, because the other installed plugins (Hypothesis, Faker...) cost a
    hundred times more than the goal and their noise on a shared machine would swamp it. The
    anchor loads an empty plugin because ``-p NAME`` first looks NAME up among the entry points
    of every installed distribution (5-10 ms here, for any module): work of pytest's that an
    installed plugin does not cause (autoloading scans them once for all plugins).
P5n the same against pytest with no plugin at all (informational: the lookup plus the plugin).
P5a the same with every installed plugin autoloaded, against ``-p no:ecwid`` (informational).
P5f every plugin against ``-p no:faker`` (informational): Faker, a dependency, registers its
    own pytest plugin, which every user pays for unless they add ``-p no:faker``.

All are CPU time (user + system) of each run: waiting for a core does not count.
Run: python benchmarks/bench_plugin.py [--quick] [--row P5]
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _harness import Row, RowMaker, Series, Settings, cpu_ms, excess_at_most, interleave, main


def startup_rows(settings: Settings) -> list[Row]:
    """P5 pytest start-up, plugin installed but unused"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    # An installed package has its bytecode (pip compiles it at install); with
    # PYTHONDONTWRITEBYTECODE every round would compile and assert-rewrite the plugin again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    alone = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with tempfile.TemporaryDirectory(prefix="ecwid-bench-") as folder:
        Path(folder, "test_a.py").write_text("def test_a():\n    pass\n")
        Path(folder, "pytest.ini").write_text("[pytest]\n")
        Path(folder, "ecwid_bench_empty_plugin.py").write_text('"""No hook, no fixture."""\n')
        # no -q: the header (the ecwid-mock line included) is printed, as in a default run
        base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]

        def run(*extra: str, autoload: bool = True) -> Callable[[], float]:
            return cpu_ms([*base, *extra], cwd=folder, env=env if autoload else alone)

        # The goal's runs get many rounds, half of them in the other order: on a shared
        # machine the first run of a round measured up to 20 ms more than an identical second.
        pair = balanced(
            {
                "alone": run("-p", "pytest_ecwid.plugin", autoload=False),
                "empty": run("-p", "ecwid_bench_empty_plugin", autoload=False),
                "none": run(autoload=False),
            },
            settings.pick(41, 11),
        )
        samples = interleave(
            {"all": run(), "no-ecwid": run("-p", "no:ecwid"), "no-faker": run("-p", "no:faker")},
            settings.pick(11, 5),
        )
    unit = "ms CPU"
    every = Series("pytest, every installed plugin", unit, samples["all"])
    ecwid = Series("pytest with only -p pytest_ecwid.plugin", unit, pair["alone"])
    return [
        Row("P5", ecwid, Series("the same with -p <an empty plugin module>", unit, pair["empty"]),
            excess_at_most(10, "ms"), title="pytest start-up, ecwid plugin loaded but unused"),
        Row("P5n", ecwid, Series("pytest with no plugin at all", unit, pair["none"]),
            title="pytest start-up: -p's entry-point lookup plus the plugin (excess)"),
        Row("P5a", every, Series("the same with -p no:ecwid", unit, samples["no-ecwid"]),
            title="pytest start-up, every plugin: what ecwid adds (excess)"),
        Row("P5f", every, Series("the same with -p no:faker", unit, samples["no-faker"]),
            title="pytest start-up, every plugin: what Faker's own plugin adds (excess)"),
    ]  # fmt: skip


def balanced(measures: dict[str, Callable[[], float]], rounds: int) -> dict[str, tuple[float, ...]]:
    """``interleave`` with the order reversed in every other round (A B, B A, A B, ...)."""
    forward = interleave(measures, (rounds + 1) // 2)
    backward = interleave(dict(reversed(measures.items())), rounds // 2, warm_up=False)
    return {
        name: tuple(v for pair in zip(forward[name], backward[name]) for v in pair)
        + forward[name][len(backward[name]) :]
        for name in measures
    }


ROWS: dict[str, RowMaker] = {"P5": startup_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
