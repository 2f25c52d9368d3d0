"""``ecwid-mock validate``: check webhook bodies against the schemas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import add_command, colour, print_json, read_input


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
            "ecwid-mock validate --json *.json > report.json",
            "curl -s https://example.com/last-webhook | ecwid-mock validate -",
            "ecwid-mock generate mixed -n 100 | ecwid-mock validate --strict -   (JSON lines)",
        ],
    )
    parser.add_argument("files", metavar="FILE", nargs="+", help="payload files; - for stdin")
    parser.add_argument(
        "--strict", action="store_true", help="refuse unknown fields and older documented forms"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON verdict per file instead of text"
    )
    parser.set_defaults(func=run, command_name="validate")


def _documents(data: bytes, name: str, parse: Any) -> list[tuple[Any, str]]:
    """One JSON document, or JSON lines (as `ecwid-mock generate` writes), each with a name."""
    from .._schemas.validate import InvalidJSON

    try:
        return [(parse(data, source=name), name)]
    except InvalidJSON as exc:
        if "Extra data" not in exc.problems[0].message:
            raise
    lines = data.splitlines()
    return [
        (parse(line, source=f"{name}:{number}"), f"{name}:{number}")
        for number, line in enumerate(lines, 1)
        if line.strip()
    ]


def run(args: argparse.Namespace) -> int:
    from .._errors import InvalidEvent
    from .._schemas.validate import InvalidJSON, parse_payload, validate_value

    # Read and parse everything first: an unreadable file or non-JSON body is bad input (2).
    values: list[tuple[Any, str]] = []
    for path in args.files:
        data, name = read_input(path)
        try:
            values += _documents(data, name, parse_payload)
        except InvalidJSON as exc:
            where = exc.source or name
            sys.stderr.write(f"ecwid-mock validate: error: {where}: {exc.problems[0].message}\n")
            return 2
    failed = 0
    verdicts = []
    for value, name in values:
        try:
            payload = validate_value(value, strict=args.strict, source=name)
        except InvalidEvent as exc:
            failed += 1
            problems = [{"path": p.path, "message": p.message} for p in exc.problems]
            verdicts.append({"file": name, "valid": False, "problems": problems})
            if not args.json:
                print(f"{name}: {colour('invalid', 'red')}")
                for problem in exc.problems:
                    print(f"  {problem}")
        else:
            verdicts.append({"file": name, "valid": True, "eventType": payload["eventType"]})
            if not args.json:
                print(f"{name}: {colour('valid', 'green')} {payload['eventType']}")
    if args.json:
        print_json(verdicts)
    return 1 if failed else 0
