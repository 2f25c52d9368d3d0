"""The ``ecwid-mock`` command line: one module per command, a shared frame for errors.

Every command's module has ``add_parser(subparsers)``, which registers it and sets
``func`` to a handler ``(args) -> exit code``. Modules import heavy libraries inside their
handler only, so ``ecwid-mock --help`` stays fast.

Exit codes: 0 success, 1 a negative answer (invalid payload, failed delivery), 2 bad input.
Nothing escapes as a traceback: an unexpected exception is one line naming its type and
saying it is a bug (exit 2); ``ECWID_MOCK_DEBUG=1`` shows the traceback as well.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from .._errors import EcwidMockError
from .._version import __version__
from ._common import COMMANDS, CommandError, Parser, fail

__all__ = ["main"]


DESCRIPTION = """\
Offline, deterministic testing harness for Ecwid (Lightspeed E-Series) webhook receivers.

examples:
  ecwid-mock events                         list every event type, its scope and data fields
  ecwid-mock schema order.updated           print a bundled JSON Schema
  ecwid-mock validate payload.json          check a captured webhook body
"""


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser; only the command named in ``argv`` is imported and built.

    Without a known command, every command gets a bare entry (its name and summary) for the
    listing and for argparse's "invalid choice", so ``ecwid-mock --help`` imports no command
    at all. (Each entry is a whole ``ArgumentParser``: 0.1 ms apiece, 12 of them.)
    """
    parser = Parser(
        prog="ecwid-mock",
        description=DESCRIPTION,
    )
    parser.add_argument("--version", action="version", version=f"ecwid-mock {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = next((w for w in words if not w.startswith("-")), None)
    if chosen in COMMANDS:
        module = importlib.import_module(f"{__name__}.{chosen.replace('-', '_')}")
        module.add_parser(subparsers)
        return parser
    for name, summary in COMMANDS.items():  # the listing, and the names "invalid choice" offers
        subparsers.add_parser(name, help=summary, add_help=False)  # never parses its own
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser(argv)
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
    except (SystemExit, GeneratorExit):
        raise
    except RecursionError:
        return fail(args, CommandError("the input is nested too deeply to handle"))
    except MemoryError:
        return fail(args, CommandError("out of memory: the input or the options ask for too much"))
    except Exception as exc:
        return _bug(args, exc)
    return code


def _bug(args: object, exc: Exception) -> int:
    """An exception nobody meant: one line (secrets masked) and how to see the traceback."""
    import traceback

    from .._secrets import mask

    if os.environ.get("ECWID_MOCK_DEBUG") == "1":
        sys.stderr.write(mask("".join(traceback.format_exception(exc))))
    text = mask(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
    command = getattr(args, "command_name", "")
    prog = f"ecwid-mock {command}".strip()
    sys.stderr.write(
        f"{prog}: error: unexpected {type(exc).__name__}{': ' + text if text else ''} "
        "(a bug in ecwid-mock: please report it; ECWID_MOCK_DEBUG=1 shows the traceback)\n"
    )
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
