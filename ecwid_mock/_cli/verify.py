"""``ecwid-mock verify``: does a signature belong to a webhook body? Exit 0 yes, 1 no."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import CommandError, add_command, colour, read_input
from .sign import add_secret_option, bodies, required_secret, signed_fields


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "verify",
        description="Check a signature the way a receiver must: recompute Base64 "
        'HMAC-SHA256 of "{eventCreated}.{eventId}" with the client secret and compare in '
        "constant time. Exit 0 when it matches, 1 when it does not (with a hint for common "
        "mistakes), 2 when the input cannot be read or is not a webhook body.",
        examples=[
            "ecwid-mock verify --signature 'NoLsApTwIZ...brM=' body.json",
            'ECWID_CLIENT_SECRET=... ecwid-mock verify --signature "$SIG" - < body.json',
        ],
    )
    parser.add_argument(
        "file", metavar="FILE", nargs="?", default="-", help="body file; - (default) for stdin"
    )
    parser.add_argument(
        "--signature",
        metavar="SIG",
        required=True,
        help="the X-Ecwid-Webhook-Signature header value to check",
    )
    add_secret_option(parser, default_note="required")
    parser.set_defaults(func=run, command_name="verify")


def run(args: argparse.Namespace) -> int:
    import hashlib
    import hmac

    from .._events.signing import hmac_base64, verify_signature

    secret = required_secret(args)
    data, name = read_input(args.file)
    found = bodies(data, name)
    if len(found) != 1:
        raise CommandError(f"{name}: {len(found)} bodies; verify checks one body at a time")
    text, where = found[0]
    created, event_id = signed_fields(text, where)
    if verify_signature(text, args.signature, secret):
        print(f"{where}: {colour('valid', 'green')} signature")
        return 0
    message = f"{created}.{event_id}".encode()
    given = args.signature.strip()
    hint = "it does not match this body's eventCreated and eventId with this secret"
    if given == hmac.new(secret.reveal(), message, hashlib.sha256).hexdigest():
        hint = "it is hex-encoded; Ecwid sends Base64"
    elif given == hmac_base64(secret.reveal(), data.strip()):
        hint = 'it is an HMAC of the body; Ecwid signs "{eventCreated}.{eventId}"'
    print(f"{where}: {colour('invalid', 'red')} signature: {hint}")
    return 1
