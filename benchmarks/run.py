"""Every benchmark of the project in one run, as one table of figures with in-run baselines.

    python benchmarks/run.py            # everything (a few minutes; includes million-event runs)
    python benchmarks/run.py --quick    # smaller memory runs (200,000 events)
    python benchmarks/run.py --only validate,cli --json figures.json

Each bench_*.py module also runs on its own. Goals come from the project's issues; a row whose
goal is missed is marked MISSED, and the exit code is 1 if any is.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITES = ("validate", "factory", "sender", "plugin", "cli", "replay", "conformance")


def _run_suite(name: str, quick: bool) -> list[dict[str, Any]]:
    module = importlib.import_module(f"bench_{name}")
    if name == "factory":
        return list(module.run(events=200_000 if quick else 1_000_000))
    if name == "sender":
        return list(module.run(million=not quick))
    return list(module.run())


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller memory runs")
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    sys.path.insert(0, str(HERE))
    rows: list[dict[str, Any]] = []
    for name in chosen:
        started = time.perf_counter()
        print(f"running {name}...", file=sys.stderr, flush=True)
        for row in _run_suite(name, args.quick):
            rows.append({"suite": name, **row})
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    headers = ["SUITE", "FIGURE", "VALUE", "UNIT", "BASELINE", "RATIO", "GOAL", ""]
    table = []
    for row in rows:
        ok = row.get("ok")
        verdict = "" if ok is None or not row.get("goal") else ("ok" if ok else "MISSED")
        table.append(
            [
                row["suite"],
                str(row["name"]),
                _fmt(row.get("value")),
                str(row.get("unit", "")),
                _fmt(row.get("baseline")),
                _fmt(row.get("ratio")),
                str(row.get("goal") or ""),
                verdict,
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 1 if any(r.get("ok") is False and r.get("goal") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
