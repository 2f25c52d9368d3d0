"""What every command shares: one-line errors, input files, tables, colour only on a terminal."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # no typing at run time: every command's start imports this module
if TYPE_CHECKING:
    from typing import IO, Any, NoReturn

__all__ = [
    "CommandError",
    "Parser",
    "add_command",
    "add_event_options",
    "colour",
    "fail",
    "parse_set",
    "print_json",
    "print_table",
    "progress_bar",
    "read_input",
]


class CommandError(Exception):
    """Bad input found by a command itself: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not a usage dump."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        from .._secrets import mask

        sys.stderr.write(mask(f"{self.prog}: error: {message} (see {self.prog} --help)") + "\n")
        raise SystemExit(2)


#: Every command and its one-line summary, in the order of `ecwid-mock --help`.
COMMANDS = {
    "demo": "run every event type, a retry, a duplicate and forged signatures at a demo receiver",
    "events": "list Ecwid webhook event types, scopes and data fields",
    "schema": "print the bundled JSON Schema of an event type",
    "validate": "validate webhook payloads (files or stdin) against the schemas",
    "generate": "write realistic signed webhook events as JSON lines",
    "sign": "print the X-Ecwid-Webhook-Signature of webhook bodies",
    "verify": "check an X-Ecwid-Webhook-Signature against a body (exit 0 valid, 1 invalid)",
    "listen": "run a local HTTPS webhook receiver and print every delivery it gets",
    "serve-store": "run a mock Ecwid store's REST API (api/v3) over local HTTPS",
    "send": "deliver generated events to a webhook URL, as Ecwid does",
    "load": "load a receiver with Locust (pip install 'ecwid-mock[locust]')",
    "check": "run the receiver conformance checks against a URL or an app",
}


def add_command(subparsers: Any, name: str, *, description: str, examples: Sequence[str]) -> Parser:
    """Register a command (summary from :data:`COMMANDS`), its help ending in examples."""
    text = description.rstrip() + "\n\nexamples:\n" + "\n".join(f"  {e}" for e in examples)
    parser: Parser = subparsers.add_parser(
        name,
        help=COMMANDS[name],
        description=text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def add_event_options(parser: argparse.ArgumentParser) -> None:
    """--seed, --set and --signature: how the commands that build events take their options."""
    parser.add_argument("--seed", type=int, metavar="S", help="seed for replayable events")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        dest="assignments",
        help="override a field, e.g. data.newPaymentStatus=PAID (repeatable)",
    )
    parser.add_argument(
        "--signature", default="valid", metavar="MODE", help="signature mode (default valid)"
    )


def fail(args: argparse.Namespace, exc: BaseException) -> int:
    """Print a bad-input error as one line on stderr (secrets masked); exit code 2."""
    from .._secrets import mask

    text = mask(str(exc).strip())
    first_line = text.splitlines()[0] if text else type(exc).__name__
    command = getattr(args, "command_name", "")
    prog = f"ecwid-mock {command}".strip()
    sys.stderr.write(f"{prog}: error: {first_line}\n")
    return 2


def read_input(path: str, *, what: str = "file") -> tuple[bytes, str]:
    """The bytes of ``path`` (``-`` is standard input) and a name for messages."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(path, "rb") as handle:
            return handle.read(), path
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CommandError(f"cannot read {what} {path!r}: {reason}") from None


def use_colour(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


_CODES = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


def colour(text: str, name: str, stream: IO[str] | None = None) -> str:
    """``text`` in colour ``name`` when ``stream`` (stdout by default) is a terminal."""
    if not use_colour(stream or sys.stdout):
        return text
    return f"\033[{_CODES[name]}m{text}\033[0m"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned table on stdout."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    print(colour(line, "bold"))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout, every secret and credential in it masked."""
    import json

    from .._secrets import mask

    sys.stdout.write(mask(json.dumps(value, indent=2, ensure_ascii=False)) + "\n")


def parse_set(text: str) -> tuple[str, Any]:
    """``--set PATH=VALUE`` -> (path, value): JSON when VALUE parses, else the string itself.

    JSON within the limits of the input boundary (depth, integer length): beyond them the
    value is refused in one line rather than failing deep inside the factory.
    """
    import json

    from .._checks import json_problem, loads_json

    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise CommandError(
            f"--set {text[:80]!r}: expected PATH=VALUE, for example data.newPaymentStatus=PAID"
        )
    try:
        value = loads_json(raw)
    except json.JSONDecodeError as exc:
        if raw.lstrip()[:1] in ("{", "[", '"'):
            raise CommandError(
                f"--set {path}: value {raw[:80]!r} looks like JSON but does not parse: "
                f"{exc.msg} at column {exc.colno}"
            ) from None
        value = raw
    except ValueError as exc:
        raise CommandError(f"--set {path[:80]}: the value is not acceptable JSON: {exc}") from None
    unfit = json_problem(value)
    if unfit is not None:
        raise CommandError(f"--set {path[:80]}: the value is not acceptable JSON: {unfit[1]}")
    return path.strip(), value


def progress_bar(label: str, stream: IO[str]) -> Any:
    """A ``(done, total)`` callback drawing a bar on ``stream`` when it is a terminal.

    Call it with ``(0, 0)`` to clear the line at the end. Silent when not on a terminal.
    """
    active = stream.isatty()

    def update(done: int, total: int) -> None:
        if not active:
            return
        if total <= 0:
            stream.write("\r\033[K")
            stream.flush()
            return
        width = 30
        filled = int(width * done / total)
        stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        stream.flush()

    return update
