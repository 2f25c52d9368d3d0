"""Every benchmark row of the project in one run, each judged against its in-run anchor.

    python benchmarks/run.py                # the full table (about 22 minutes on 2 busy cores)
    python benchmarks/run.py --quick        # fewer rounds, smaller counts, no suite run
    python benchmarks/run.py --row P2,V1    # only these rows
    python benchmarks/run.py --json out.json

Each row measures a figure and its anchor in interleaved rounds and prints min/median/max;
a row with a goal prints ok or MISSED (judged on the median), and the exit code is 1 when
any goal is missed. See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import sys

import bench_cli
import bench_conformance
import bench_factory
import bench_https_server
import bench_locust
import bench_plugin
import bench_replay
import bench_sender
import bench_store
import bench_suite
import bench_validate
from _harness import RowMaker, main

#: The goals table first, in its order, then the informational rows.
ORDER = ("V1", "P1", "P2", "P3", "P4", "P5", "P6", "P8", "C1", "T1",
         "S-GET1", "S-GET2", "S-SEED", "S-RSS", "L1",
         "S1", "I1", "F1", "F2", "H1", "H2", "R1", "R2", "R3")  # fmt: skip

_ALL: dict[str, RowMaker] = {}
for module in (bench_validate, bench_factory, bench_sender, bench_plugin, bench_cli,
               bench_conformance, bench_suite, bench_https_server, bench_store, bench_locust,
               bench_replay):  # fmt: skip
    _ALL.update(module.ROWS)
ROWS: dict[str, RowMaker] = {key: _ALL[key] for key in ORDER}
assert set(ROWS) == set(_ALL), sorted(set(_ALL) - set(ROWS))

if __name__ == "__main__":
    sys.exit(main(ROWS))
