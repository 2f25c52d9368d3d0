"""``ecwid-mock listen``: a local HTTPS webhook receiver that shows what any sender delivers."""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._common import CommandError, add_command, colour

if TYPE_CHECKING:
    from .._servers.reference import ReceivedDelivery

SECRET_ENV = "ECWID_CLIENT_SECRET"
SCRUB_KEY_ENV = "ECWID_MOCK_SCRUB_KEY"
DEFAULT_PORT = 8443


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "listen",
        description=_wrap(
            "Receive webhooks over real HTTPS on this machine and print each delivery: "
            "its headers, whether the signature verifies, the payload and whether it matches the "
            "event's schema. The receiver answers with --status after --delay, deduplicates by "
            "eventId, and runs until Ctrl-C (exit 0).\n\n"
            "The certificate comes from a throwaway CA made at start; its path is printed so that "
            "clients can trust it (curl --cacert PATH; in Python, "
            "ssl.create_default_context(cafile=PATH)). The client secret is "
            f"read from --client-secret or ${SECRET_ENV} (prefer the variable: arguments show up "
            "in process lists); without one, signatures are reported as 'not checked'."
        ),
        examples=[
            "ecwid-mock listen",
            f"{SECRET_ENV}=... ecwid-mock listen --port 9443",
            "ecwid-mock listen --port 0 --json | jq .signature      (any free port)",
            "ecwid-mock listen --status 500                          (every delivery fails)",
            "ecwid-mock listen --delay 11                            (slower than Ecwid's 10 s)",
            f"{SCRUB_KEY_ENV}=... ecwid-mock listen --record tests/cassettes/live.jsonl",
            "curl --cacert CA.pem -H 'Content-Type: application/json' -d @event.json \\\n"
            "       https://127.0.0.1:8443/webhooks/ecwid",
        ],
    )
    parser.add_argument(
        "--port",
        default=str(DEFAULT_PORT),
        help=f"port to listen on, 1024–65535, or 0 for any free port (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; the certificate covers 127.0.0.1, "
        "localhost and ::1)",
    )
    parser.add_argument(
        "--client-secret",
        metavar="SECRET",
        help=f"the app's client secret for checking signatures (default ${SECRET_ENV})",
    )
    parser.add_argument(
        "--status",
        default="200",
        help="HTTP status to answer valid deliveries with, 200–599 (default 200)",
    )
    parser.add_argument("--delay", default="0", help="seconds to wait before answering (default 0)")
    parser.add_argument(
        "--path",
        default="/webhooks/ecwid",
        help="URL path that receives webhooks; others get 404 (default /webhooks/ecwid)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per delivery (one a line)"
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="append every delivery, scrubbed, to the cassette FILE (JSON Lines)",
    )
    parser.add_argument(
        "--record-allow",
        action="append",
        default=[],
        metavar="PATTERN",
        help="with --record: keep a field the schemas do not know, e.g. 'data.*' (repeatable; "
        "by default such a delivery is not recorded)",
    )
    parser.set_defaults(func=run, command_name="listen")


def run(args: argparse.Namespace) -> int:
    from .._errors import InvalidOption
    from .._servers.reference import reference_receiver
    from .._servers.tls import LocalHTTPSServer, check_listen_host

    port = _parse_port(args.port)
    status = _parse_status(args.status)
    delay = _parse_delay(args.delay)
    if not args.path.startswith("/"):
        raise InvalidOption("path", args.path, "a URL path that starts with '/'", source="--path")
    from .._checks import check_text

    check_text("path", args.path, source="--path")
    secret, secret_source = _client_secret(args.client_secret)

    printer = _Printer(json_lines=args.json)
    receiver = reference_receiver(
        client_secret=secret,
        path=args.path,
        status=status,
        delay=delay,
        on_delivery=printer.delivery,
    )
    app: Any = receiver
    if args.record is not None:
        app = _recording(receiver, args.record, args.record_allow, secret, printer)
    elif args.record_allow:
        raise CommandError("--record-allow goes with --record FILE")
    check_listen_host(args.host, source="--host")
    server = LocalHTTPSServer(app, host=args.host, port=port, kind="asgi")
    with _sigterm_as_interrupt():
        try:
            server.start()
            printer.banner(
                url=server.url + args.path,
                ca_path=str(server.certificates.ca_pem_path),
                secret_source=secret_source,
                status=status,
                delay=delay,
            )
            server.serve_forever()  # returns on Ctrl-C
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            server.certificates.cleanup()
    if args.record is not None:
        refused = len(app.refused)
        printer.note(
            f"recorded {len(app.cassette)} deliveries to {args.record}"
            + (f"; {refused} could not be scrubbed and were not recorded" if refused else "")
        )
    printer.note("stopped")
    return 0


def _recording(receiver: Any, path: str, allow: list[str], secret: Any, printer: Any) -> Any:
    """The receiver wrapped in the capture middleware, scrubbing with the key from the env."""
    import secrets as random_secrets

    from .._replay.capture import CaptureMiddleware
    from .._replay.scrub import Scrubber

    key = os.environ.get(SCRUB_KEY_ENV, "")
    if not key:
        key = random_secrets.token_hex(32)
        printer.note(
            f"--record: no ${SCRUB_KEY_ENV}, so a one-off scrub key is used; set it to get the "
            "same fakes and ids as your other recordings"
        )
    scrubber = Scrubber(key, allow=allow)
    return CaptureMiddleware(receiver, path, scrubber=scrubber, client_secret=secret)


def _wrap(text: str) -> str:
    import textwrap

    return "\n\n".join(textwrap.fill(part, 88) for part in text.split("\n\n"))


# -- input -----------------------------------------------------------------------------------


def _parse_port(text: str) -> int:
    from .._errors import InvalidOption

    rule = "a port number in 1024–65535, or 0 for any free port"
    try:
        port = int(text)
    except ValueError:
        raise InvalidOption("port", text, rule, source="--port") from None
    if port != 0 and not 1024 <= port <= 65535:
        raise InvalidOption("port", port, rule, source="--port")
    return port


def _parse_status(text: str) -> int:
    from .._errors import InvalidOption

    rule = "an HTTP status code in 200–599 (1xx codes cannot end a response)"
    try:
        status = int(text)
    except ValueError:
        raise InvalidOption("status", text, rule, source="--status") from None
    if not 200 <= status <= 599:
        raise InvalidOption("status", status, rule, source="--status")
    return status


def _parse_delay(text: str) -> float:
    from .._errors import InvalidOption

    rule = "a number of seconds >= 0"
    try:
        delay = float(text)
    except ValueError:
        raise InvalidOption("delay", text, rule, source="--delay") from None
    if not math.isfinite(delay) or delay < 0:
        raise InvalidOption("delay", text, rule, source="--delay")
    return delay


def _client_secret(given: str | None) -> tuple[Any, str]:
    """The secret (wrapped, never printed) and where it came from, for the banner."""
    from .._events.signing import Secret

    if given is not None:
        if not given:
            raise CommandError("--client-secret is empty; leave it out to skip signature checks")
        return Secret(given), "--client-secret"
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env:
        return Secret(from_env), f"${SECRET_ENV}"
    return None, ""


class _sigterm_as_interrupt:
    """SIGTERM stops the receiver as cleanly as Ctrl-C (temporary files are removed)."""

    def __enter__(self) -> None:
        self._previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, _raise_interrupt)

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


# -- output ----------------------------------------------------------------------------------


class _Printer:
    """Prints deliveries as they arrive (from the server's threads), one block at a time."""

    def __init__(self, *, json_lines: bool) -> None:
        self.json_lines = json_lines
        self._lock = threading.Lock()

    def _out(self, text: str, stream: Any = None) -> None:
        with self._lock:
            target = stream or sys.stdout
            target.write(text + "\n")
            target.flush()

    def note(self, text: str) -> None:
        self._out(f"ecwid-mock listen: {text}", sys.stderr)

    def banner(
        self, *, url: str, ca_path: str, secret_source: str, status: int, delay: float
    ) -> None:
        # With --json, stdout carries only deliveries; the banner goes to stderr.
        stream = sys.stderr if self.json_lines else sys.stdout
        checks = (
            f"checked with the client secret from {secret_source}"
            if secret_source
            else f"not checked (no --client-secret or ${SECRET_ENV})"
        )
        lines = [
            f"Listening on {colour(url, 'bold', stream)}",
            f"CA certificate: {ca_path}",
            f"  trust it:   curl --cacert {ca_path} -d @event.json '{url}'",
            f"  signatures: {checks}",
            f"  answers:    {status} after {delay:g} s; duplicates of an accepted eventId "
            "are answered and flagged",
            "Press Ctrl-C to stop.",
        ]
        self._out("\n".join(lines), stream)

    def delivery(self, record: ReceivedDelivery) -> None:
        if self.json_lines:
            self._out(json.dumps(record.as_dict(), ensure_ascii=False))
        else:
            self._out(_describe(record))


def _describe(record: ReceivedDelivery) -> str:
    import time

    query = "&".join(f"{k}={v}" for k, v in record.query.items())
    target = record.path + (f"?{query}" if query else "")
    status_colour = "green" if record.accepted else "red"
    when = time.strftime("%H:%M:%S", time.localtime(record.received_at))
    lines = [
        f"#{record.number} {when} {record.method} {target} -> "
        f"{colour(str(record.status), status_colour)} {record.reason}"
    ]
    signature = record.signature_check
    sig_colour = {"valid": "green", "not checked": "yellow"}.get(signature, "red")
    schema = {None: "not checked", True: "valid", False: "invalid"}[record.schema_valid]
    schema_colour = {"valid": "green", "invalid": "red"}.get(schema, "yellow")
    facts = [
        f"signature: {colour(signature, sig_colour)}",
        f"schema: {colour(schema, schema_colour)}",
    ]
    if record.event_type:
        facts.append(f"event: {record.event_type} {record.event_id}")
    if record.duplicate:
        facts.append(colour("duplicate", "yellow"))
    lines.append("  " + "   ".join(facts))
    for problem in record.problems:
        lines.append(f"    - {problem}")
    lines.append("  headers:")
    lines.extend(f"    {name}: {value}" for name, value in record.headers.items())
    payload = record.payload
    if payload is not None:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    else:
        text = record.body.decode("utf-8", "replace") or "(empty)"
    lines.append("  body:")
    lines.extend(f"    {line}" for line in text.splitlines())
    return "\n".join(lines)
