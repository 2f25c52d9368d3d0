"""``ecwid-mock schema drift FILE...``: what captured bodies hold that the schemas do not allow."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._common import CommandError, colour, print_json, print_table, read_input

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    from .._replay.cassette import BadLine, read_bodies
    from .._replay.drift import find_drift

    if not args.files:
        raise CommandError("schema drift needs at least one FILE (captured bodies or cassettes)")
    if args.strict:
        raise CommandError("--strict does not apply to schema drift (it reads both modes)")
    payloads: list[Any] = []
    bad_count = 0
    for path in args.files:
        data, source = read_input(path, what="FILE")
        bodies, bad_lines = read_bodies(data)
        for body in bodies:
            try:
                payloads.append(json.loads(body.body))
            except ValueError:
                bad_lines.append(BadLine(body.line, "the cassette's body is not JSON"))
        for bad in sorted(bad_lines):
            sys.stderr.write(f"ecwid-mock schema drift: {source} {bad} (skipped)\n")
        bad_count += len(bad_lines)
    if not payloads:
        raise CommandError("schema drift: no body to compare in the given files")
    report = find_drift(payloads)
    if args.json:
        print_json({**report.as_dict(), "unreadable_lines": bad_count})
    else:
        _print(report)
    return 1 if report.drifted else 0


def _print(report: Any) -> None:
    total = sum(report.bodies.values())
    types = len(report.bodies)
    if not report.drifted:
        print(colour(f"no drift: {total} bodies of {types} event types match the schemas", "green"))
        return
    rows = [
        [f.event_type, f.kind, f.path, str(f.count), _example(f.example), f.detail]
        for f in report.findings
    ]
    print_table(["event type", "drift", "field", "count", "example", "detail"], rows)
    print()
    print("proposed schema change (JSON Patch, paths relative to schemas/):")
    print(json.dumps(report.patches(), indent=2, ensure_ascii=False))
    print()
    print(colour(f"drift: {len(report.findings)} findings in {total} bodies", "red"))


def _example(value: Any) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) and value.startswith("(") else json.dumps(value)
    return text if len(text) <= 30 else text[:29] + "…"
