"""``ecwid-mock schema``: one event's JSON Schema with its references bundled."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command, print_json


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "schema",
        help="print the bundled JSON Schema of an event type",
        description="Print the JSON Schema (draft 2020-12) of one event type, or of the envelope, "
        "with every $ref inlined so that other tools can use it on its own. Tolerant by default "
        "(what a receiver should accept); --strict gives what ecwid-mock itself generates.",
        examples=[
            "ecwid-mock schema order.updated",
            "ecwid-mock schema order.updated --strict > order-updated.json",
            "ecwid-mock schema envelope",
        ],
    )
    parser.add_argument("event_type", metavar="TYPE", help="an event type, or 'envelope'")
    parser.add_argument("--strict", action="store_true", help="the strict schema")
    parser.set_defaults(func=run, command_name="schema")


def run(args: argparse.Namespace) -> int:
    from .._schemas.catalog import schema_for

    target = None if args.event_type == "envelope" else args.event_type
    print_json(schema_for(target, strict=args.strict))
    return 0
