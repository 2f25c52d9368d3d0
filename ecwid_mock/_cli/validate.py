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
        description="Validate webhook bodies: one verdict per file (per line for JSON lines). "
        "Exit with the worst: 0 when all are valid, 1 when one is not (its problems are "
        "listed), 2 when a file cannot be read or is not JSON (the others are still checked).",
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
    """A verdict per file (and per JSON line); exit with the worst: 2 unreadable, 1 invalid."""
    from .._errors import InvalidEvent
    from .._schemas.validate import InvalidJSON, parse_payload, validate_value
    from .._secrets import mask
    from ._common import CommandError

    worst = 0
    verdicts: list[dict[str, Any]] = []
    for path in args.files:
        try:
            data, name = read_input(path)
            values = _documents(data, name, parse_payload)
        except (CommandError, InvalidJSON) as exc:
            # Bad input (2) for this file; the other files still get their verdicts.
            worst = 2
            if isinstance(exc, InvalidJSON):
                first = exc.problems[0]
                reason = f"{exc.source or path}: {str(first) if first.path else first.message}"
            else:
                reason = str(exc)
            verdicts.append({"file": path, "valid": False, "error": mask(reason)})
            sys.stderr.write(f"ecwid-mock validate: error: {mask(reason)}\n")
            continue
        for value, where in values:
            try:
                payload = validate_value(value, strict=args.strict, source=where)
            except InvalidEvent as exc:
                worst = max(worst, 2 if isinstance(exc, InvalidJSON) else 1)
                problems = [{"path": p.path, "message": mask(p.message)} for p in exc.problems]
                verdicts.append({"file": where, "valid": False, "problems": problems})
                if not args.json:
                    print(f"{where}: {colour('invalid', 'red')}")
                    for problem in exc.problems:
                        print(f"  {mask(str(problem))}")
            else:
                verdicts.append({"file": where, "valid": True, "eventType": payload["eventType"]})
                if not args.json:
                    print(f"{where}: {colour('valid', 'green')} {payload['eventType']}")
    if args.json:
        print_json(verdicts)
    return worst
