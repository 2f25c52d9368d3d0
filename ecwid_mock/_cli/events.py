"""``ecwid-mock events``: the event catalogue as a table or JSON."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from ._common import add_command, print_json, print_table


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "events",
        description="List every documented Ecwid webhook event type with the access scope it "
        "needs, what entityId refers to and the fields of its data object.",
        examples=[
            "ecwid-mock events",
            "ecwid-mock events --json",
            "ecwid-mock events --all        # include undocumented size_chart.* events",
        ],
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--all", action="store_true", help="include undocumented event types (size_chart.*)"
    )
    parser.set_defaults(func=run, command_name="events")


def run(args: argparse.Namespace) -> int:
    from .._schemas.catalog import event_info, event_types

    infos = [event_info(t) for t in event_types(include_undocumented=args.all)]
    if args.json:
        print_json([dataclasses.asdict(info) for info in infos])
        return 0
    rows = [
        [
            info.event_type + ("" if info.documented else " (undocumented)"),
            info.scope,
            info.entity_id_type,
            ", ".join(f.name + ("" if f.required else "?") for f in info.data_fields) or "-",
        ]
        for info in infos
    ]
    print_table(["EVENT TYPE", "SCOPE", "ENTITYID", "DATA FIELDS"], rows)
    return 0
