"""``ecwid-mock demo``: the whole tool at work against the built-in reference receiver."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import add_command, colour, print_json, print_table, progress_bar


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="run every event type, a retry, a duplicate and forged signatures at a demo receiver",
        description="Start the built-in reference receiver over real HTTPS (a trustme certificate "
        "on 127.0.0.1), fire every documented event type at it, a retry scenario on the virtual "
        "clock, a duplicate and two forged signatures, and print what happened. Exit 0 when "
        "everything behaved as Ecwid would expect, 1 otherwise.",
        examples=[
            "ecwid-mock demo",
            "ecwid-mock demo --json > demo.json",
            "ecwid-mock demo --seed 7",
        ],
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated events (0)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run, command_name="demo")


def run(args: argparse.Namespace) -> int:
    from .demo_run import run_demo

    bar = progress_bar("demo", sys.stderr)
    steps = list(run_demo(seed=args.seed, progress=bar))
    bar(0, 0)
    failed = [s for s in steps if not s.ok]
    if args.json:
        print_json({"ok": not failed, "steps": [s.as_dict() for s in steps]})
        return 1 if failed else 0
    rows = [
        [
            s.scenario,
            s.event,
            s.status,
            str(s.attempts),
            colour("ok", "green") if s.ok else colour("UNEXPECTED", "red"),
            s.note or s.expected,
        ]
        for s in steps
    ]
    print_table(["SCENARIO", "EVENT", "STATUS", "ATTEMPTS", "VERDICT", "NOTE"], rows)
    summary = f"{len(steps) - len(failed)} of {len(steps)} steps behaved as Ecwid expects"
    print("\n" + (colour(summary, "green") if not failed else colour(summary, "red")))
    return 1 if failed else 0
