"""``ecwid-mock schema``: one event's JSON Schema with its references bundled."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import CommandError, add_command, print_json


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "schema",
        description="Print the JSON Schema (draft 2020-12) of one event type, or of the envelope, "
        "with every $ref inlined so that other tools can use it on its own. Tolerant by default "
        "(what a receiver should accept); --strict gives what ecwid-mock itself generates.",
        examples=[
            "ecwid-mock schema order.updated",
            "ecwid-mock schema order.updated --strict > order-updated.json",
            "ecwid-mock schema envelope",
            "ecwid-mock schema drift captured/*.json tests/cassettes/**/*.jsonl   (schema drift)",
        ],
    )
    parser.add_argument(
        "event_type", metavar="TYPE", help="an event type, or 'envelope', or 'drift' FILE..."
    )
    parser.add_argument("--strict", action="store_true", help="the strict schema")
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="with 'drift': captured bodies (one JSON body, JSON Lines) or cassettes ('-' is "
        "standard input); prints what they hold that the schemas do not allow, and the change "
        "to propose. Exit 1 when there is drift, 0 when none",
    )
    parser.add_argument("--json", action="store_true", help="with 'drift': the report as JSON")
    parser.set_defaults(func=run, command_name="schema")


def run(args: argparse.Namespace) -> int:
    from .._schemas.catalog import schema_for

    if args.event_type == "drift":
        from .drift import run as run_drift

        return run_drift(args)
    if args.files or args.json:
        raise CommandError("FILE and --json go with 'ecwid-mock schema drift'")
    target = None if args.event_type == "envelope" else args.event_type
    print_json(schema_for(target, strict=args.strict))
    return 0
