"""``ecwid-mock check``: run the receiver conformance suite and print a verdict table."""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import TYPE_CHECKING, Any

from ._common import CommandError, add_command, use_colour
from .sign import SECRET_ENV, add_secret_option, optional_secret, required_secret

if TYPE_CHECKING:
    from .._servers.store import EcwidStore
    from ..conformance.suite import ConformanceReport

ACCESS_TOKEN_ENV = "ECWID_ACCESS_TOKEN"
#: Where --store tells the --app about the mock store, before the app is imported.
STORE_ENV = {
    "api_url": "ECWID_API_URL",
    "token": "ECWID_API_TOKEN",
    "cacert": "ECWID_API_CACERT",
    "store_id": "ECWID_STORE_ID",
}

DESCRIPTION = f"""\
Check whether a webhook receiver is ready for real Ecwid traffic: every subscribed event
type, forged and missing signatures, replays, duplicates (also at once), events out of order,
unknown fields and event types, broken bodies, redirects, response codes and response time.
Each check ends as PASS, FAIL, WARN or SKIP with its evidence; docs/conformance.md explains
how to fix each one.

The target is URL (HTTPS; trust a private CA with --cacert), or an ASGI/WSGI app called
in-process with --app package.module:attribute (add --https to serve it over real TLS on
127.0.0.1). Like uvicorn, --app and --observe import from the current directory.
The client secret comes from --client-secret or ${SECRET_ENV}.

--store adds the REST checks (rest-*: the receiver fetches what a webhook names and copes
with 404, 403, 429 and paging): a mock store is served over HTTPS on 127.0.0.1 and, before
--app is imported, ${STORE_ENV["api_url"]}, ${STORE_ENV["token"]}, ${STORE_ENV["cacert"]}
and ${STORE_ENV["store_id"]} tell the app where it is.

Exit 0 when no check failed (warnings and skips do not fail), 1 when one did, 2 for bad
input."""


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "check",
        description=DESCRIPTION,
        examples=[
            f"{SECRET_ENV}=... ecwid-mock check https://example.com/webhooks/ecwid",
            "ecwid-mock check --app myproject.asgi:app --client-secret S",
            "ecwid-mock check --app myproject.wsgi:application --https --observe "
            "myproject.checks:processed_event_ids",
            "ecwid-mock check https://127.0.0.1:8443/hook --cacert ca.pem --events 'order.*' "
            "--junit conformance.xml",
            "ecwid-mock check --app myproject.asgi:app --store   (the app reads $ECWID_API_URL)",
        ],
    )
    parser.add_argument("url", metavar="URL", nargs="?", help="the webhook URL (https)")
    parser.add_argument(
        "--app", metavar="MODULE:ATTR", help="check this ASGI or WSGI app in-process instead"
    )
    parser.add_argument(
        "--path",
        default=None,
        help="with --app: the path the app receives webhooks on (default /webhooks/ecwid)",
    )
    parser.add_argument(
        "--https", action="store_true", help="with --app: serve it on 127.0.0.1 over real TLS"
    )
    parser.add_argument("--cacert", metavar="FILE", help="PEM file of CA certificates to trust")
    parser.add_argument(
        "--events",
        action="append",
        metavar="TYPES",
        help="the event types the app subscribes to: names or patterns, comma-separated or "
        "repeated, e.g. 'order.*,product.updated' (default: all 42 documented ones)",
    )
    parser.add_argument(
        "--checks", action="append", metavar="IDS", help="run only these checks (comma-separated)"
    )
    parser.add_argument(
        "--observe",
        metavar="MODULE:ATTR",
        help="a callable returning the receiver's side effects (effects per eventId, a count or "
        "a collection); enables the idempotency checks",
    )
    parser.add_argument(
        "--settle",
        default="0.5",
        metavar="S",
        help="seconds to wait for side effects applied after the answer (default 0.5)",
    )
    parser.add_argument(
        "--timeout",
        default="10",
        metavar="S",
        help="seconds to wait for each answer (default 10, Ecwid's limit)",
    )
    parser.add_argument(
        "--slow-after",
        default="3",
        metavar="S",
        help="warn when the p95 response time is above this (default 3)",
    )
    parser.add_argument(
        "--access-token",
        metavar="T",
        help=f"the store's secret_... REST token, to catch a receiver keyed with it (default "
        f"${ACCESS_TOKEN_ENV}, else a made-up one)",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="seed for replayable events")
    parser.add_argument(
        "--store-id",
        type=int,
        metavar="ID",
        help="the store id events carry (default: drawn from the seed); give yours to a "
        "receiver that accepts only its own store",
    )
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON (- for stdout)")
    parser.add_argument("--junit", metavar="FILE", help="write the report as JUnit XML")
    parser.add_argument(
        "--insecure-http-not-ecwid",
        action="store_true",
        help="allow a plain http:// URL for local development (Ecwid never calls one)",
    )
    parser.add_argument(
        "--apps",
        metavar="FILE",
        help="several apps at this URL, as a JSON list of {name, client_secret_env, "
        "custom_headers, events}: each app's events are signed with its own secret (instead of "
        "--client-secret); the app-secrets check runs",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="with --app: serve a mock store for the app to call (over HTTPS on 127.0.0.1, "
        f"announced in ${STORE_ENV['api_url']} and friends) and run the REST checks too",
    )
    add_secret_option(parser, default_note="required unless --apps")
    parser.set_defaults(func=run, command_name="check")


def _seconds(option: str, text: str, *, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        rule = "a number of seconds >= 0" if allow_zero else "a positive number of seconds"
        raise CommandError(f"{option} must be {rule}, but got {text!r}")
    return value


def _load(option: str, dotted: str) -> Any:
    from .._settings import load_app

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return load_app(dotted, source=option)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    from ..conformance.suite import CHECK_IDS, REST_CHECK_IDS, ConformanceSuite

    if (args.url is None) == (args.app is None):
        raise CommandError("give the receiver's URL or --app MODULE:ATTR (one of them)")
    if args.url is not None and args.https:
        raise CommandError("--https serves an --app; a URL is already HTTPS")
    if args.store and args.app is None:
        raise CommandError(
            "--store needs --app: the app is imported once the store runs, so that it can read "
            f"${STORE_ENV['api_url']} (a receiver at a URL: use ConformanceSuite(store=...))"
        )
    known = CHECK_IDS + (REST_CHECK_IDS if args.store else ())
    checks = _split(args.checks)
    for check_id in checks or ():
        if check_id not in known:
            hint = " (the rest-* checks need --store)" if check_id in REST_CHECK_IDS else ""
            raise CommandError(
                f"--checks: unknown check {check_id!r}{hint}; known: " + ", ".join(known)
            )
    for option, path in (("--json", args.json), ("--junit", args.junit)):
        folder = os.path.dirname(os.path.abspath(path)) if path and path != "-" else None
        if folder is not None and not os.access(folder, os.W_OK):
            raise CommandError(f"{option}: cannot write {path!r}: no writable folder {folder!r}")
    if args.apps is not None:
        from .._events.app import load_apps

        if optional_secret(args) is not None and args.client_secret is not None:
            raise CommandError("--apps brings each app's secret: leave out --client-secret")
        auth: dict[str, Any] = {"apps": load_apps(args.apps)}
    else:
        auth = {"client_secret": required_secret(args)}
    options: dict[str, Any] = {
        **auth,
        "events": _split(args.events),
        "timeout": _seconds("--timeout", args.timeout),
        "slow_after": _seconds("--slow-after", args.slow_after),
        "settle": _seconds("--settle", args.settle, allow_zero=True),
        "access_token": args.access_token or os.environ.get(ACCESS_TOKEN_ENV) or None,
        "seed": args.seed,
        "store_id": args.store_id,
    }
    if args.observe is not None:
        observe = _load("--observe", args.observe)
        if not callable(observe):
            raise CommandError(f"--observe {args.observe!r} is not callable")
        options["observe"] = observe
    server = None
    store = _start_store(args, options) if args.store else None
    if args.app is not None:
        from .._schemas.contract import contract

        path = args.path if args.path is not None else contract().default_path
        app = _load("--app", args.app)
        from .._transports.apps import app_kind

        app_kind(app, source=f"--app {args.app}")  # a factory is refused here, in one line
        if args.https:
            from .._servers.tls import LocalHTTPSServer

            server = LocalHTTPSServer(app).start()
            suite = ConformanceSuite(
                server.url + path,
                verify=server.client_ssl_context(),
                label=args.app,
                **options,
            )
        else:
            suite = ConformanceSuite(app=app, path=path, label=args.app, **options)
    else:
        suite = ConformanceSuite(
            args.url,
            verify=args.cacert if args.cacert is not None else True,
            insecure_http_not_ecwid=args.insecure_http_not_ecwid,
            **options,
        )
    try:
        with suite:
            report = suite.run(checks)
    finally:
        if server is not None:
            server.stop()
        if store is not None:
            store.close()
    _write(report, args)
    return report.exit_code


def _start_store(args: argparse.Namespace, options: dict[str, Any]) -> EcwidStore:
    """A mock store on 127.0.0.1 (real time: receivers sleep for real), announced to the app
    in the environment; its token is also the one signature-access-token tries."""
    from .._clock import RealClock
    from .._servers.store import EcwidStore

    store = EcwidStore(clock=RealClock(), store_id=args.store_id)
    store.serve_https()
    where = {
        "api_url": store.api_url,
        "token": store.token,
        "cacert": store.cacert,
        "store_id": str(store.store_id),
    }
    for name, value in where.items():
        os.environ[STORE_ENV[name]] = value
    options["store"] = store
    options["access_token"] = options["access_token"] or store.token
    print(
        f"ecwid-mock: mock store at {store.api_url} (CA {store.cacert}); the app reads "
        + ", ".join(f"${STORE_ENV[n]}" for n in where),
        file=sys.stderr,
    )
    return store


def _write(report: ConformanceReport, args: argparse.Namespace) -> None:
    if args.json == "-":
        sys.stdout.write(report.to_json() + "\n")
    else:
        print(report.format_table(colour=use_colour(sys.stdout)))
        if args.seed is None:
            print(f"(events seeded with {report.seed}: --seed {report.seed} repeats them)")
        if args.json:
            _save(args.json, report.to_json() + "\n", "--json")
    if args.junit:
        _save(args.junit, report.to_junit_xml(), "--junit")


def _save(path: str, text: str, option: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise CommandError(f"{option}: cannot write {path!r}: {exc.strerror}") from None
