"""``ecwid-mock demo``: the whole tool at work against the built-in reference receiver."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ._common import add_command, colour, print_json, print_table, progress_bar

if TYPE_CHECKING:
    from .demo_run import DemoStep


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
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


NEXT_STEPS = """\
next steps:
  test your own receiver with pytest: the README's "Quickstart: test your receiver with pytest"
    (ten lines with the `ecwid` fixture; no configuration)
  run Ecwid's conformance checks at your receiver:
    ecwid-mock check https://your-app.example.com/webhooks/ecwid --client-secret S
    ecwid-mock check --app myproject.asgi:app   (in-process, no server)"""


def run(args: argparse.Namespace) -> int:
    from .demo_run import run_demo

    bar = progress_bar("demo", sys.stderr)
    started: dict[str, Any] = {}
    steps = list(run_demo(seed=args.seed, progress=bar, on_start=started.update))
    bar(0, 0)
    failed = [s for s in steps if not s.ok]
    if args.json:
        print_json({"ok": not failed, "receiver": started, "steps": [s.as_dict() for s in steps]})
        return 1 if failed else 0
    if started:
        print(f"receiver: {started['url']} (HTTPS on port {started['port']}, {started['tls']})")
        print(f"certificate: {started['certificate']}\n")
    print_table(["SCENARIO", "EVENT", "STATUS", "ATTEMPTS", "VERDICT", "NOTE"], _rows(steps))
    summary = f"{len(steps) - len(failed)} of {len(steps)} steps behaved as Ecwid expects"
    print("\n" + (colour(summary, "green") if not failed else colour(summary, "red")))
    print("\n" + NEXT_STEPS)
    return 1 if failed else 0


def _rows(steps: list[DemoStep]) -> list[list[str]]:
    """One row per step, except that a run of alike steps that behaved is one row."""
    rows: list[list[str]] = []
    index = 0
    while index < len(steps):
        step = steps[index]
        end = index + 1
        while end < len(steps) and _alike(steps[end], step):
            end += 1
        verdict = colour("ok", "green") if step.ok else colour("UNEXPECTED", "red")
        if end - index > 1:
            event = f"{end - index} event types"
            attempts = f"{step.attempts} each"
        else:
            event, attempts = step.event, str(step.attempts)
        rows.append(
            [step.scenario, event, step.status, attempts, verdict, step.note or step.expected]
        )
        index = end
    return rows


def _alike(one: DemoStep, other: DemoStep) -> bool:
    return (
        one.ok
        and other.ok
        and (one.scenario, one.status, one.attempts, one.note)
        == (
            other.scenario,
            other.status,
            other.attempts,
            other.note,
        )
    )
