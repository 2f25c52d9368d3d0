"""``ecwid-mock load``: run the bundled Locust locustfile headless, on one machine or many.

A thin wrapper: it checks the URL and the client secret, builds the ``locust --headless``
command line and runs it as a subprocess. It never imports Locust (whose gevent
monkey-patching must come before everything else), so the rest of the CLI stays unaffected.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from .._schemas.contract import contract
from ._common import CommandError, add_command
from .sign import SECRET_ENV, add_secret_option, optional_secret

CACERT_ENV = "ECWID_CACERT"
INSTALL_HINT = "Locust is not installed: pip install 'ecwid-mock[locust]'"
PROFILES = ("steady", "burst", "storm")

DESCRIPTION = """\
Load a webhook receiver with Locust the way Ecwid delivers: signed events from the event
factory, verified TLS, no redirects, {connect:g} s / {response:g} s limits, only {accepted}
counted as delivered, failed events retried on Ecwid's schedule compressed by --time-scale
({span_h:g} h of retries in {span_s:g} s by default). At the end the ledger (sent = delivered +
dropped + pending) is printed; the exit code is 1 when it does not balance, when fewer than
--min-delivered of the events were delivered, or when p95 exceeds Ecwid's {response:g} s.

One machine: --processes N (one Locust process per core). Several machines: run
'--master --expect-workers N' on one and '--worker --master-host HOST' on each of the others
(every worker needs ecwid-mock[locust] and ${secret_env}). Arguments after '--' go to Locust
unchanged. Needs the extra: pip install 'ecwid-mock[locust]'."""


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "load",
        description=_description(),
        examples=[
            "ecwid-mock load --url https://127.0.0.1:8443/hook --cacert ca.pem -u 20 -t 30s",
            "ecwid-mock load --url https://shop.example/hook --processes 4 -u 100 -t 1m --json",
            "ecwid-mock load --url https://shop.example/hook --profile storm --user-rate 5 -u 20",
            "ecwid-mock load --url https://shop.example/hook --master --expect-workers 3 -u 300",
            "ecwid-mock load --worker --master-host 10.0.0.5",
            "ecwid-mock load --url https://shop.example/hook --print-command -- --csv results",
        ],
    )
    add = parser.add_argument
    add("--url", help="the webhook URL (https); not needed with --worker")
    add("--users", "-u", type=int, default=10, metavar="N", help="Locust users (default 10)")
    add(
        "--spawn-rate",
        "-r",
        type=float,
        metavar="R",
        help="users started per second (default: all at once)",
    )
    add("--run-time", "-t", default="10s", metavar="T", help="how long, e.g. 30s, 5m (default 10s)")
    add(
        "--processes",
        type=int,
        metavar="P",
        help="Locust processes on this machine (-1: one per core)",
    )
    add(
        "--profile",
        choices=PROFILES,
        default="steady",
        help="steady, burst or storm (default steady)",
    )
    add(
        "--user-rate",
        type=float,
        metavar="R",
        help="new events/s per user (default: as fast as answered)",
    )
    add(
        "--outage-hours",
        type=float,
        metavar="D",
        help="storm: hours the receiver was down (default 6)",
    )
    add(
        "--burst-factor",
        type=float,
        metavar="K",
        help="burst: users times K during the burst (default 10)",
    )
    add(
        "--time-scale", type=float, metavar="X", help="Ecwid seconds per real second (default 3600)"
    )
    add("--retry-policy", metavar="NAME", help="current, legacy or none (default current)")
    add("--types", metavar="T,T", help="comma-separated event types (default: a shop-like mix)")
    add("--seed", type=int, metavar="S", help="seed for replayable events")
    add("--cacert", metavar="FILE", help="PEM file of CA certificates to trust")
    add(
        "--min-delivered",
        type=float,
        metavar="RATIO",
        help="fail below this delivered ratio (default 0.99)",
    )
    add("--json", action="store_true", help="print Locust's JSON statistics, with the ledger")
    add("--master", action="store_true", help="only coordinate: workers on other machines send")
    add("--expect-workers", type=int, metavar="N", help="with --master: wait for N workers")
    add("--worker", action="store_true", help="send for a master on another machine")
    add("--master-host", metavar="HOST", help="with --worker: the master's address")
    add("--print-command", action="store_true", help="print the locust command line, run nothing")
    add_secret_option(parser, default_note="required except with --master")
    add("locust_args", nargs=argparse.REMAINDER, metavar="-- LOCUST_ARGS", help=argparse.SUPPRESS)
    parser.set_defaults(func=run, command_name="load")


def _description() -> str:
    from .._load.schedule import DEFAULT_TIME_SCALE

    facts = contract()
    span = facts.retry_offsets[facts.default_retry_policy][-1]
    return DESCRIPTION.format(
        span_h=span / 3600,
        span_s=span / DEFAULT_TIME_SCALE,
        connect=facts.connect_timeout,
        response=facts.response_timeout,
        accepted=facts.accepted_text,
        secret_env=SECRET_ENV,
    )


def locustfile_path() -> Path:
    """The bundled locustfile, found without importing ``ecwid_mock.locust`` (nor Locust)."""
    return Path(__file__).resolve().parent.parent / "locust" / "locustfile.py"


def build_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m locust ...`` command line for ``args`` (already checked)."""
    command = [sys.executable, "-m", "locust", "-f", str(locustfile_path()), "--headless"]
    if args.worker:  # every other option comes from the master (--cacert: see run())
        command.append("--worker")
        if args.master_host:
            command += ["--master-host", args.master_host]
        return command + _extra(args)
    command += ["--host", args.url, "-u", str(args.users)]
    command += ["-r", _number(args.spawn_rate if args.spawn_rate is not None else args.users)]
    # the bundled locustfile lets the attempt in flight at the end finish (--stop-timeout)
    command += ["-t", args.run_time]
    if args.master:
        command.append("--master")
        if args.expect_workers is not None:
            command += ["--expect-workers", str(args.expect_workers)]
    if args.processes is not None:
        command += ["--processes", str(args.processes)]
        if not {"--master-bind-host", "--master-bind-port", "--master-port"} & set(
            args.locust_args
        ):
            # the forked workers talk to the master over loopback, on a port of its own, so
            # two runs on one machine never join each other's workers
            port = str(_free_port())
            command += ["--master-bind-host", "127.0.0.1", "--master-bind-port", port]
            command += ["--master-port", port]
    command += ["--ecwid-profile", args.profile]
    for flag, value in (
        ("--ecwid-user-rate", args.user_rate),
        ("--ecwid-outage-hours", args.outage_hours),
        ("--ecwid-burst-factor", args.burst_factor),
        ("--ecwid-time-scale", args.time_scale),
        ("--ecwid-retry-policy", args.retry_policy),
        ("--ecwid-types", args.types),
        ("--ecwid-seed", args.seed),
        ("--ecwid-cacert", args.cacert),
        ("--ecwid-min-delivered", args.min_delivered),
    ):
        if value is not None:
            command += [flag, _number(value) if isinstance(value, float) else str(value)]
    if args.json:
        command.append("--json")
    return command + _extra(args)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _number(value: float) -> str:
    return f"{value:g}"


def _extra(args: argparse.Namespace) -> list[str]:
    extra = list(args.locust_args)
    return extra[1:] if extra[:1] == ["--"] else extra


def _check(args: argparse.Namespace) -> None:
    from .._delivery.url import check_webhook_url

    if args.master and args.worker:
        raise CommandError("--master and --worker exclude each other: one role per machine")
    if args.master and args.processes is not None:
        raise CommandError("--master cannot be combined with --processes (it sends nothing)")
    if not args.worker:
        if not args.url:
            raise CommandError(
                "--url is required (the receiver's webhook URL), except with --worker"
            )
        check_webhook_url(args.url)
        if args.users < 1:
            raise CommandError(f"--users must be 1 or more, but got {args.users}")
        if args.profile == "storm" and not args.user_rate:
            raise CommandError("--profile storm needs --user-rate R > 0 (the normal rate per user)")
    if args.cacert is not None and not Path(args.cacert).is_file():
        raise CommandError(f"--cacert {args.cacert!r}: no such file")


def run(args: argparse.Namespace) -> int:
    _check(args)
    env = dict(os.environ)
    secret = optional_secret(args)
    if secret is not None:
        env[SECRET_ENV] = secret.reveal().decode("utf-8")  # to the child, never in its argv
    elif not args.master and not args.print_command:
        raise CommandError(f"no client secret: pass --client-secret S or set {SECRET_ENV}")
    if args.worker and args.cacert is not None:  # a path of this machine, not the master's
        env[CACERT_ENV] = str(Path(args.cacert).resolve())
    command = build_command(args)
    if args.print_command:
        print(shlex.join(command))
        return 0
    if importlib.util.find_spec("locust") is None:
        raise CommandError(INSTALL_HINT)
    return subprocess.call(command, env=env)
