"""The ``ecwid-mock`` command line: one module per command, a shared frame for errors.

Every command's module has ``add_parser(subparsers)``, which registers it and sets
``func`` to a handler ``(args) -> exit code``. Modules import heavy libraries inside their
handler only, so ``ecwid-mock --help`` stays fast.

Exit codes: 0 success, 1 a negative answer (invalid payload, failed delivery), 2 bad input.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from .._errors import EcwidMockError
from .._version import __version__
from ._common import CommandError, Parser, fail

__all__ = ["main"]

# Order is the order of `ecwid-mock --help`.
COMMANDS = (
    "demo",
    "events",
    "schema",
    "validate",
    "generate",
    "sign",
    "verify",
    "listen",
    "serve-store",
    "send",
    "load",
    "check",
)

DESCRIPTION = """\
Offline, deterministic testing harness for Ecwid (Lightspeed E-Series) webhook receivers.

examples:
  ecwid-mock events                         list every event type, its scope and data fields
  ecwid-mock schema order.updated           print a bundled JSON Schema
  ecwid-mock validate payload.json          check a captured webhook body
"""


def build_parser() -> Parser:
    parser = Parser(
        prog="ecwid-mock",
        description=DESCRIPTION,
    )
    parser.add_argument("--version", action="version", version=f"ecwid-mock {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        sys.stderr.write("ecwid-mock: error: a command is required (see ecwid-mock --help)\n")
        return 2
    try:
        code: int = func(args)
    except (CommandError, EcwidMockError) as exc:
        return fail(args, exc)
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except KeyboardInterrupt:
        print("ecwid-mock: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
