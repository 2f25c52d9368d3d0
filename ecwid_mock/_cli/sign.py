"""``ecwid-mock sign``: the X-Ecwid-Webhook-Signature of webhook bodies.

Also home of what ``sign``, ``verify`` and ``generate`` share: the client secret option
(``--client-secret`` or ``ECWID_CLIENT_SECRET``) and reading the signed fields of a body.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any

from ._common import CommandError, add_command, read_input

if TYPE_CHECKING:
    from .._events.signing import Secret

SECRET_ENV = "ECWID_CLIENT_SECRET"


def add_secret_option(parser: argparse.ArgumentParser, *, default_note: str) -> None:
    parser.add_argument(
        "--client-secret",
        metavar="S",
        help=f"the app's client secret; prefer the {SECRET_ENV} environment variable, which "
        f"other users cannot see in the process list ({default_note})",
    )


def optional_secret(args: argparse.Namespace) -> Secret | None:
    """The secret from --client-secret, else $ECWID_CLIENT_SECRET, else None; never printed."""
    from .._events.signing import Secret

    if args.client_secret is not None:
        if not args.client_secret:
            raise CommandError("--client-secret is empty: pass the app's client secret")
        return Secret(args.client_secret)
    value = os.environ.get(SECRET_ENV)
    if value == "":
        raise CommandError(f"{SECRET_ENV} is set but empty: set it to the app's client secret")
    return Secret(value) if value else None


def required_secret(args: argparse.Namespace) -> Secret:
    """Like :func:`optional_secret`, but a missing secret is a one-line error (exit 2)."""
    secret = optional_secret(args)
    if secret is None:
        raise CommandError(f"no client secret: pass --client-secret S or set {SECRET_ENV}")
    return secret


def signed_fields(text: str, where: str) -> tuple[int, str]:
    """``(eventCreated, eventId)`` of one JSON body, or a one-line error naming the problem.

    A line of ``ecwid-mock generate --with-headers`` is accepted too (its ``body`` is used).
    """
    from .._checks import loads_json

    try:
        payload: Any = loads_json(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{where}: not JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # beyond the input limits (depth, integer length)
        raise CommandError(f"{where}: not acceptable JSON: {exc}") from None
    if isinstance(payload, dict) and "eventId" not in payload and "body" in payload:
        payload = payload["body"]
    if not isinstance(payload, dict):
        raise CommandError(f"{where}: expected a JSON object (a webhook body)")
    created = payload.get("eventCreated")
    event_id = payload.get("eventId")
    if isinstance(created, bool) or not isinstance(created, int) or not 0 <= created < 2**63:
        raise CommandError(
            f"{where}: eventCreated must be an integer (UNIX seconds, 0 to 2**63 - 1), "
            f"but got {_shown(created)}"
        )
    if not isinstance(event_id, str):
        raise CommandError(f"{where}: eventId must be a string, but got {_shown(event_id)}")
    try:
        event_id.encode("utf-8")
    except UnicodeEncodeError:
        raise CommandError(
            f"{where}: eventId must be UTF-8 text (it has a lone surrogate)"
        ) from None
    return created, event_id


def _shown(value: object) -> str:
    if isinstance(value, (dict, list)):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:59]}… ({len(text)} characters)"


def bodies(data: bytes, name: str) -> list[tuple[str, str]]:
    """The bodies in ``data`` with a name for messages: one JSON object, or JSON lines."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{name}: not UTF-8 text") from None
    if not text.strip():
        raise CommandError(f"{name}: empty input, expected a webhook body")
    from .._checks import loads_json

    try:
        loads_json(text)
    except json.JSONDecodeError:
        lines = [(line, f"{name} line {n}") for n, line in enumerate(text.splitlines(), 1)]
        found = [(line, where) for line, where in lines if line.strip()]
        if len(found) > 1:
            return found
    except ValueError:  # beyond the input limits: signed_fields names the problem
        pass
    return [(text, name)]


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "sign",
        description="Print the signature Ecwid sends with a webhook body: Base64 HMAC-SHA256 "
        'of "{eventCreated}.{eventId}" keyed with the client secret. Reads one JSON body, or '
        "JSON lines (one signature per line, e.g. the output of `ecwid-mock generate`).",
        examples=[
            "ECWID_CLIENT_SECRET=... ecwid-mock sign body.json",
            "ecwid-mock generate order.created | ecwid-mock sign --client-secret test -",
        ],
    )
    parser.add_argument(
        "file", metavar="FILE", nargs="?", default="-", help="body file; - (default) for stdin"
    )
    add_secret_option(parser, default_note="required")
    parser.set_defaults(func=run, command_name="sign")


def run(args: argparse.Namespace) -> int:
    from .._events.signing import sign

    secret = required_secret(args)
    data, name = read_input(args.file)
    fields = [signed_fields(text, where) for text, where in bodies(data, name)]
    for created, event_id in fields:  # every line checked before any output
        print(sign(created, event_id, secret))
    return 0
