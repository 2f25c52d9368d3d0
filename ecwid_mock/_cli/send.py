"""``ecwid-mock send``: deliver generated events to a webhook URL the way Ecwid does."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .._events.signature_modes import SIGNATURE_MODES
from ._common import (
    CommandError,
    add_command,
    add_event_options,
    colour,
    parse_set,
    print_json,
    print_table,
    progress_bar,
)
from .sign import SECRET_ENV, add_secret_option, required_secret

if TYPE_CHECKING:
    from .._delivery.record import Delivery, DeliverySummary

from .._delivery.url import redact_url
from .._secrets import mask

#: How many failed deliveries the report shows in full.
SHOWN_FAILURES = 5

DESCRIPTION = f"""\
Build COUNT events of TYPE (or 'mixed') with the event factory and POST them to URL exactly
as Ecwid would: HTTPS only, Ecwid's headers plus any --header, no redirects followed, 3 s
to connect and 10 s for the response. Only 200, 201, 202, 204 and 209 count as delivered.
Each event gets one attempt: a failed one is reported as not delivered (Ecwid would try it
again 15 minutes later; send does not wait for that).

The client secret comes from --client-secret or ${SECRET_ENV}. Trust a private CA with
--cacert (certificate checks cannot be turned off). For a local plain-HTTP receiver,
--insecure-http-not-ecwid allows an http:// URL (Ecwid itself never calls one). Secrets and
credential query values (?token=...) are masked in every line printed. Exit 0 when every
event was delivered, 1 when some were not, 2 for bad input.

signature modes (--signature): {", ".join(SIGNATURE_MODES)}"""


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "send",
        description=DESCRIPTION,
        examples=[
            "ecwid-mock send order.created --url https://example.com/webhooks/ecwid",
            "ecwid-mock send mixed --count 1000 --concurrency 50 --url https://127.0.0.1:8443/hook"
            " --cacert ca.pem",
            "ecwid-mock send order.updated --set data.newPaymentStatus=PAID --header X-App:1 "
            "--url https://example.com/hook --json",
            "ecwid-mock send order.created --signature invalid --url https://example.com/hook",
            "ecwid-mock send --from-file tests/cassettes/test_hooks/test_paid.jsonl --fresh-time "
            "--url https://127.0.0.1:8443/hook --cacert ca.pem",
        ],
    )
    parser.add_argument("event_type", metavar="TYPE", nargs="?", help="an event type, or 'mixed'")
    parser.add_argument(
        "--from-file",
        metavar="FILE",
        help="send these bodies instead of generated events: one JSON body, JSON Lines, or a "
        "cassette ('-' is standard input); each is re-signed with the client secret and sent "
        "byte for byte. A bad line is reported and skipped (exit 2 after sending the rest)",
    )
    parser.add_argument(
        "--fresh-time",
        action="store_true",
        help="with --from-file: move eventCreated so the last body is now (gaps are kept)",
    )
    parser.add_argument(
        "--new-ids",
        action="store_true",
        help="with --from-file: give every body a fresh eventId",
    )
    parser.add_argument("--url", required=True, help="the webhook URL (https)")
    parser.add_argument(
        "--count", "-n", type=int, default=1, metavar="N", help="how many events (default 1)"
    )
    parser.add_argument(
        "--concurrency",
        "-c",
        type=int,
        default=10,
        metavar="C",
        help="requests in flight at once (default 10, at most 10,000; never more than --count)",
    )
    parser.add_argument("--cacert", metavar="FILE", help="PEM file of CA certificates to trust")
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        dest="headers",
        help="a custom header, sent after Ecwid's own (repeatable)",
    )
    add_event_options(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--connect-timeout", type=seconds, metavar="S", help="default 3 (Ecwid's)")
    parser.add_argument(
        "--response-timeout", type=seconds, metavar="S", help="default 10 (Ecwid's)"
    )
    parser.add_argument(
        "--insecure-http-not-ecwid",
        action="store_true",
        help="allow a plain http:// URL for local development (Ecwid never calls one)",
    )
    parser.add_argument(
        "--apps",
        metavar="FILE",
        help="send as several apps to this one URL, from a JSON list of {name, "
        "client_secret_env, custom_headers, events}: each app gets COUNT events of the types "
        "it subscribes to, signed with its secret and sent with its headers",
    )
    add_secret_option(parser, default_note="required unless --apps")
    parser.set_defaults(func=run, command_name="send")


def seconds(text: str) -> float:
    """A timeout flag's value: finite seconds above 0 (argparse names the flag)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > 3600:
        raise argparse.ArgumentTypeError(
            f"must be a finite number of seconds above 0 and at most 3600, but got {text!r}"
        )
    return value


def check_options(args: argparse.Namespace, work: int | None) -> None:
    """What both ways of sending check before any traffic, in the words of the flags."""
    from .._delivery.core import resolve_custom_headers
    from .._delivery.flow import MAX_CONCURRENCY
    from .._delivery.url import check_webhook_url

    check_webhook_url(
        args.url, allow_http=args.insecure_http_not_ecwid, allow_http_as="--insecure-http-not-ecwid"
    )
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise CommandError(
            f"--concurrency must be 1 or more and at most {MAX_CONCURRENCY:,}, "
            f"but got {args.concurrency}"
        )
    if work is not None:
        args.concurrency = min(args.concurrency, work)  # no more workers than events
    args.headers = resolve_custom_headers(
        [parse_header(h) for h in args.headers], source="--header"
    )


def parse_header(text: str) -> tuple[str, str]:
    """``NAME:VALUE`` -> (name, value); the value may be empty, spaces after ':' are dropped."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise CommandError(f"--header {text!r}: expected NAME:VALUE, for example X-App-Id:42")
    return name.strip(), value.lstrip()


def run(args: argparse.Namespace) -> int:
    import asyncio

    from .._clock import RealClock
    from .._events.factory import EventFactory
    from .._events.signature_modes import check_mode
    from .._schemas.catalog import event_info

    if args.from_file is not None:
        return _run_from_file(args)
    if args.event_type is None:
        raise CommandError("give an event type (or 'mixed'), or --from-file FILE")
    if args.fresh_time or args.new_ids:
        raise CommandError("--fresh-time and --new-ids go with --from-file")
    if args.count < 1:
        raise CommandError(f"--count must be 1 or more, but got {args.count}")
    check_options(args, args.count)
    mode = check_mode(args.signature, source="--signature")
    overrides = dict(parse_set(a) for a in args.assignments)
    headers = args.headers
    if args.event_type == "mixed":
        if overrides:
            raise CommandError("--set needs one event type, not 'mixed'")
    else:
        event_info(args.event_type)  # an unknown type fails before any traffic
    if args.apps is not None:
        return _run_apps(args, mode, overrides, headers)
    secret = required_secret(args)
    clock = RealClock()
    factory = EventFactory(seed=args.seed, client_secret=secret, clock=clock)
    sender = _make_sender(args, headers, clock)
    if args.event_type == "mixed":
        events: Any = factory.stream(args.count, signature=mode)
    else:
        events = (
            factory.build(args.event_type, overrides=overrides or None, signature=mode)
            for _ in range(args.count)
        )
    first = next(events)  # bad --set values fail here, before any traffic
    if args.seed is None:
        sys.stderr.write(f"ecwid-mock send: seed {factory.seed} (--seed to replay)\n")

    def all_events() -> Any:
        yield first
        yield from events

    try:
        import uvloop  # faster, when installed
    except ImportError:
        summary, failures = asyncio.run(_send(sender, all_events(), args))
    else:
        summary, failures = uvloop.run(_send(sender, all_events(), args))
    _report(summary, failures, args)
    return 0 if summary.all_delivered else 1


async def _send(
    sender: Any, events: Any, args: argparse.Namespace
) -> tuple[DeliverySummary, list[Delivery]]:
    progress = progress_bar("sending", sys.stderr) if args.count > 1 else None
    failures: list[Delivery] = []
    async with sender:
        run = sender.send_many(events, concurrency=args.concurrency)
        async for delivery in run:
            if not delivery.delivered and len(failures) < SHOWN_FAILURES:
                failures.append(delivery)
            if progress is not None:
                progress(run.summary.total, args.count)
        if progress is not None:
            progress(0, 0)
    summary: DeliverySummary = run.summary
    return summary, failures


def _run_apps(
    args: argparse.Namespace,
    mode: str,
    overrides: dict[str, Any],
    headers: list[tuple[str, str]],
) -> int:
    """``--apps``: each app's events, signed with its secret, through its own sender (Ecwid
    delivers, retries and blocks each app on its own), all to the one URL."""
    import asyncio

    from .._clock import RealClock
    from .._events.app import load_apps
    from .._events.factory import EventFactory

    if args.client_secret is not None:
        raise CommandError("--apps brings each app's secret: leave out --client-secret")
    apps = load_apps(args.apps)
    wanted = [a for a in apps if args.event_type == "mixed" or a.subscribes(args.event_type)]
    if not wanted:
        names = ", ".join(a.name for a in apps)
        raise CommandError(f"no app in --apps subscribes to {args.event_type} ({names})")
    clock = RealClock()
    seed = args.seed if args.seed is not None else EventFactory().seed
    plans = []
    for index, app in enumerate(wanted):
        factory = EventFactory(
            seed=(seed + index) % 2**32, client_secret=app.client_secret, clock=clock
        )
        events = _app_events(factory, app, args, mode, overrides)
        app_headers = [*app.custom_headers.items(), *headers]
        plans.append((app, _make_sender(args, app_headers, clock), events))
    if args.seed is None:
        sys.stderr.write(f"ecwid-mock send: seed {seed} (--seed to replay)\n")

    async def send_all() -> list[tuple[DeliverySummary, list[Delivery]]]:
        return [await _send(sender, events, args) for _, sender, events in plans]

    results = asyncio.run(send_all())
    if args.json:
        print_json(
            {
                "apps": {
                    app.name: {
                        "summary": summary.as_dict(),
                        "failures": [_delivery_dict(d) for d in failures],
                    }
                    for (app, _, _), (summary, failures) in zip(plans, results)
                }
            }
        )
    else:
        for (app, _, _), (summary, failures) in zip(plans, results):
            print(colour(f"app {app.name!r}", "bold"))
            _report(summary, failures, args)
            print()
    return 0 if all(summary.all_delivered for summary, _ in results) else 1


def _app_events(
    factory: Any, app: Any, args: argparse.Namespace, mode: str, overrides: dict[str, Any]
) -> Any:
    """COUNT events of the types ``app`` subscribes to, signed by its ``factory``."""
    import itertools

    if args.event_type == "mixed":
        stream = factory.stream(args.count * 4, signature=mode)  # then its types only
        return itertools.islice((e for e in stream if app.subscribes(e.event_type)), args.count)
    return (
        factory.build(args.event_type, overrides=overrides or None, signature=mode)
        for _ in range(args.count)
    )


def _delivery_dict(delivery: Delivery) -> dict[str, Any]:
    return {
        "event_type": delivery.event.event_type,
        "event_id": delivery.event.event_id,
        "url": redact_url(delivery.url),
        "outcome": delivery.outcome.value,
        "request_headers": [list(pair) for pair in delivery.request_headers],
        "attempts": [
            {
                "number": a.number,
                "status_code": a.status_code,
                "error": a.error,
                "reason": a.reason,
                "duration_s": round(a.duration, 6),
                "body_excerpt": a.body_excerpt,
            }
            for a in delivery.attempts
        ],
    }


def _report(summary: DeliverySummary, failures: list[Delivery], args: argparse.Namespace) -> None:
    if args.json:
        print_json(
            {
                "summary": summary.as_dict(),
                "failures_total": summary.total - summary.delivered,
                "failures_shown": len(failures),
                "failures": [_delivery_dict(d) for d in failures],
            }
        )
        return
    for delivery in failures:
        print(mask(delivery.explain("to be delivered")))
        print()
    hidden = summary.total - summary.delivered - len(failures)
    if hidden > 0:
        print(f"(and {hidden} more not delivered; their reasons are counted below)\n")
    print_table(["result", "count"], _rows(summary))
    verdict = (
        colour("all delivered", "green")
        if summary.all_delivered
        else colour(f"{summary.total - summary.delivered} not delivered", "red")
    )
    print(verdict)


#: The widest a reason may be in the summary table (long TLS errors would stretch it).
REASON_WIDTH = 50


def _rows(summary: DeliverySummary) -> list[list[str]]:
    """The summary table of one-attempt sends: delivered or not, times, reasons (no retries)."""
    from .._secrets import mask

    failed = summary.total - summary.delivered
    rows = [["delivered", str(summary.delivered)], ["not delivered", str(failed)]]
    for label, value in summary.rows():
        if label.startswith(("time to response", "over the", "deliveries per second")):
            rows.append([label, value])
        elif label.startswith("failed: "):
            reason = mask(label.removeprefix("failed: "))
            if len(reason) > REASON_WIDTH:
                reason = reason[: REASON_WIDTH - 1] + "…"
            rows.append([f"  {reason}", value])
    return rows


def _make_sender(args: argparse.Namespace, headers: list[tuple[str, Any]], clock: Any) -> Any:
    """The AsyncSender both ways of sending use: Ecwid's contract, the given options."""
    from .._delivery.retry import RetryPolicy
    from .._delivery.sender import AsyncSender
    from .._transports.wire import Timeouts

    limits = {"connect": args.connect_timeout, "response": args.response_timeout}
    return AsyncSender(
        args.url,
        custom_headers=headers,
        verify=args.cacert if args.cacert is not None else True,
        timeouts=Timeouts(**{name: value for name, value in limits.items() if value is not None}),
        clock=clock,
        retry_policy=RetryPolicy.none(),  # one attempt each: send never waits for a retry
        insecure_http_not_ecwid=args.insecure_http_not_ecwid,
    )


def _run_from_file(args: argparse.Namespace) -> int:
    """``--from-file``: the given bodies, re-signed, through the same sender and report."""
    import asyncio

    from .._clock import RealClock
    from .._errors import InvalidEvent
    from .._replay.cassette import Interaction, read_bodies
    from .._replay.replay import replay_events
    from ._common import read_input

    if args.event_type is not None:
        raise CommandError(f"give TYPE {args.event_type!r} or --from-file, not both")
    if args.assignments or args.signature != "valid" or args.count != 1:
        raise CommandError("--set, --signature and --count apply to generated events only")
    check_options(args, None)
    secret = required_secret(args)
    data, source = read_input(args.from_file, what="--from-file")
    bodies, bad_lines = read_bodies(data)
    problems = [(bad.line, bad.reason) for bad in bad_lines]
    clock = RealClock()
    events: list[Any] = []
    for body in bodies:
        try:
            events.extend(
                replay_events(
                    [Interaction(body=body.body, line=body.line)],
                    secret=secret,
                    shift_time=False,
                    new_ids=False,
                )
            )
        except InvalidEvent as exc:
            problems.append((body.line, "; ".join(str(p) for p in exc.problems)))
    if args.fresh_time or args.new_ids:
        seed = args.seed if args.seed is not None else 0
        events = replay_events(
            [Interaction(body=e.body) for e in events],
            secret=secret,
            shift_time=args.fresh_time,
            new_ids=args.new_ids,
            seed=seed,
            clock=clock,
        )
    for line, reason in sorted(problems):
        sys.stderr.write(f"ecwid-mock send: {source} line {line}: {reason} (not sent)\n")
    if not events:
        raise CommandError(f"--from-file {source!r}: no body to send")
    args.concurrency = min(args.concurrency, len(events))
    sender = _make_sender(args, args.headers, clock)
    args.count = len(events)
    summary, failures = asyncio.run(_send(sender, iter(events), args))
    _report(summary, failures, args)
    if problems:
        return 2
    return 0 if summary.all_delivered else 1
