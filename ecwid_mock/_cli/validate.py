"""``ecwid-mock validate``: check webhook bodies against the schemas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import add_command, colour, read_input


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "validate",
        help="validate webhook payloads (files or stdin) against the schemas",
        description="Validate webhook bodies. Exit 0 when all are valid, 1 when one is not (its "
        "problems are listed), 2 when a file cannot be read or is not JSON.",
        examples=[
            "ecwid-mock validate captured.json",
            "ecwid-mock validate --strict a.json b.json",
            "curl -s https://example.com/last-webhook | ecwid-mock validate -",
        ],
    )
    parser.add_argument("files", metavar="FILE", nargs="+", help="payload files; - for stdin")
    parser.add_argument(
        "--strict", action="store_true", help="refuse unknown fields and older documented forms"
    )
    parser.set_defaults(func=run, command_name="validate")


def run(args: argparse.Namespace) -> int:
    from .._errors import InvalidEvent
    from .._validate import InvalidJSON, parse_payload, validate_event

    # Read and parse everything first: an unreadable file or non-JSON body is bad input (2).
    bodies = []
    for path in args.files:
        data, name = read_input(path)
        try:
            parse_payload(data, source=name)
        except InvalidJSON as exc:
            sys.stderr.write(f"ecwid-mock validate: error: {name}: {exc.problems[0].message}\n")
            return 2
        bodies.append((data, name))
    failed = 0
    for data, name in bodies:
        try:
            payload = validate_event(data, strict=args.strict, source=name)
        except InvalidEvent as exc:
            failed += 1
            print(f"{name}: {colour('invalid', 'red')}")
            for problem in exc.problems:
                print(f"  {problem}")
        else:
            print(f"{name}: {colour('valid', 'green')} {payload['eventType']}")
    return 1 if failed else 0
