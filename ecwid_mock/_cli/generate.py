"""``ecwid-mock generate``: realistic signed webhook events as JSON lines."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from typing import Any

from .._errors import InvalidOption
from .._events.signature_modes import SIGNATURE_MODES
from ._common import CommandError, add_command, add_event_options, parse_set
from .sign import SECRET_ENV, add_secret_option, optional_secret

_MODES_HELP = "\n".join(f"  {mode:<13} {text}" for mode, text in SIGNATURE_MODES.items())

DESCRIPTION = f"""\
Write N realistic Ecwid webhook events of TYPE as JSON lines: each line is a body exactly as
Ecwid sends it, signed with the client secret (--client-secret, ${SECRET_ENV}, or the
documented test secret "ecwid-mock-test-client-secret"). TYPE is an event type, or 'mixed'
for a shop-like mix of every type. Events are dated from now (--clock-start moves the start:
'now', UNIX seconds or an ISO 8601 time), so a receiver with a replay window accepts them.
The same --seed and --clock-start give the same bytes; without --seed a seed is drawn and
printed on stderr.

With --with-headers each line is instead
  {{"headers": {{...}}, "query": {{"eventtype": TYPE}}, "body": {{...}}}}
where headers are the HTTP headers Ecwid sends (X-Ecwid-Webhook-Signature unless
--signature missing) and body is the payload; serialised compactly in the same key order
it gives back the exact signed bytes.

--set PATH=VALUE sets a field by dotted path; VALUE is parsed as JSON when it parses
(42, true, null, "42", {{...}}), else taken as a string. Values are checked against the
event's strict schema unless --no-validate is given.

signature modes (--signature):
{_MODES_HELP}"""


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "generate",
        description=DESCRIPTION,
        examples=[
            "ecwid-mock generate order.created",
            "ecwid-mock generate order.updated -n 3 --seed 7 --set data.newPaymentStatus=PAID",
            "ecwid-mock generate customer.created --with-headers --signature wrong-secret",
            "ecwid-mock generate mixed -n 1000 --seed 1 > events.jsonl",
        ],
    )
    parser.add_argument("event_type", metavar="TYPE", help="an event type, or 'mixed'")
    parser.add_argument("-n", type=int, default=1, metavar="N", help="how many (default 1)")
    add_event_options(parser)
    parser.add_argument("--store-id", type=int, metavar="ID", help="store id (default: drawn)")
    parser.add_argument(
        "--clock-start",
        default="now",
        metavar="WHEN",
        help="eventCreated of the first event: now (default), UNIX seconds or ISO 8601",
    )
    parser.add_argument(
        "--unset", action="append", default=[], metavar="PATH", help="remove a field (repeatable)"
    )
    parser.add_argument(
        "--with-headers", action="store_true", help="write headers, query and body per line"
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="skip schema checks, to build deliberately broken payloads",
    )
    parser.add_argument("--locale", default="en_US", help="Faker locale for emails (en_US)")
    parser.add_argument("--order-id-prefix", default="", metavar="P", help="e.g. MYSTORE-")
    add_secret_option(parser, default_note="default: the documented test secret")
    parser.set_defaults(func=run, command_name="generate")


def run(args: argparse.Namespace) -> int:
    from .._clock import parse_start
    from .._events.factory import DELETE, EventFactory
    from .._events.signature_modes import check_mode
    from .._schemas.catalog import event_info

    if args.n < 0:
        raise CommandError(f"-n must be 0 or more, but got {args.n}")
    mode = check_mode(args.signature, source="--signature")
    if args.locale != "en_US":
        # Checked now, not when the first email is drawn: that may never happen.
        from faker.config import AVAILABLE_LOCALES

        if args.locale not in AVAILABLE_LOCALES:
            raise InvalidOption(
                "locale",
                args.locale,
                "a Faker locale such as en_US, de_DE or ja_JP",
                source="--locale",
            )
    overrides: dict[str, Any] = dict(parse_set(a) for a in args.assignments)
    for path in args.unset:
        overrides[path] = DELETE
    factory = EventFactory(
        seed=args.seed,
        store_id=args.store_id,
        client_secret=optional_secret(args),
        locale=args.locale,
        order_id_prefix=args.order_id_prefix,
        start=parse_start(args.clock_start, source="--clock-start"),
    )
    validate = not args.no_validate
    if args.event_type == "mixed":
        if overrides:
            raise CommandError("--set and --unset need one event type, not 'mixed'")
        events = factory.stream(args.n, signature=mode, validate=validate)
    else:
        event_info(args.event_type)  # an unknown type fails before any output, even with -n 0
        events = (
            factory.build(args.event_type, overrides=overrides, signature=mode, validate=validate)
            for _ in range(args.n)
        )
    stream = iter(events)
    first = next(stream, None)  # bad input fails here, before any output
    if args.seed is None:
        sys.stderr.write(f"ecwid-mock generate: seed {factory.seed} (--seed to replay)\n")
    out = _output()
    for event in itertools.chain([first] if first is not None else [], stream):
        if args.with_headers:
            line = {"headers": event.headers, "query": event.query, "body": event.payload}
            out(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        else:
            out(event.body + b"\n")
    return 0


def _output() -> Any:
    """Write bytes to stdout exactly (UTF-8), whatever the terminal's encoding."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return lambda data: sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()
    return buffer.write
