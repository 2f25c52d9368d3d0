"""``ecwid-mock serve-store``: a mock Ecwid store's REST API over local HTTPS, for any language."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ._common import CommandError, add_command
from .listen import _parse_port, _sigterm_as_interrupt, _wrap
from .sign import add_secret_option, optional_secret

if TYPE_CHECKING:
    from .._servers.store_api import StoreCall

DEFAULT_PORT = 8444
SEEDED = {
    "orders": 30,
    "products": 20,
    "carts": 3,
    "coupons": 2,
    "promotions": 2,
    "classes": 1,
    "reviews": 5,
}


def add_parser(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "serve-store",
        description=_wrap(
            "Serve a seeded mock Ecwid store at https://127.0.0.1:PORT/api/v3/STORE_ID/..., "
            "answering as Ecwid's REST API does: orders, carts, products, categories, customers, "
            "coupons, promotions, reviews, profile, storage. Point your webhook handler's Ecwid "
            "API base URL at it. The first line printed is JSON: "
            '{"api_url", "store_id", "token", "cacert"}; then one line per request. Calls need '
            "'Authorization: Bearer TOKEN' (Ecwid refuses ?token= since March 2025). Runs until "
            "Ctrl-C (exit 0)."
        ),
        examples=[
            "ecwid-mock serve-store",
            "ecwid-mock serve-store --port 0 --seed 7 --json | head -1 | jq -r .token",
            "ecwid-mock serve-store --scopes read_orders,read_catalog   (others answer 403)",
            "ecwid-mock serve-store --rate-limit 10                     (429 after 10 a minute)",
            "curl --cacert CA.pem -H 'Authorization: Bearer TOKEN' \\\n"
            "       https://127.0.0.1:8444/api/v3/STORE_ID/orders",
        ],
    )
    parser.add_argument(
        "--port",
        default=str(DEFAULT_PORT),
        help=f"port, 1024–65535, or 0 for any free port (default {DEFAULT_PORT})",
    )
    parser.add_argument("--seed", default="0", help="seed of the store's records (default 0)")
    parser.add_argument("--store-id", help="the store's id (default: drawn from the seed)")
    parser.add_argument(
        "--scopes",
        help="comma-separated access scopes of the app's token (default: every scope)",
    )
    parser.add_argument(
        "--rate-limit",
        default="600",
        help="requests per minute per token before 429 (default 600, Ecwid's)",
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="keep the store in this SQLite file: loaded if it exists, else seeded into it; "
        "every write is saved (the token is not stored: it comes back from the seed)",
    )
    parser.add_argument(
        "--json", action="store_true", help="log each request as one JSON object a line"
    )
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="send the webhook of every write (REST writes included) to this URL, as Ecwid "
        "does: signed with --client-secret, Ecwid's whole delivery contract and retries",
    )
    parser.add_argument(
        "--cacert",
        metavar="FILE",
        help="PEM file of the CA the --webhook-url certificate chains to",
    )
    parser.add_argument(
        "--insecure-http-not-ecwid",
        action="store_true",
        help="allow a plain http:// --webhook-url for local development (Ecwid never calls one)",
    )
    add_secret_option(parser, default_note="needed with --webhook-url")
    parser.set_defaults(func=run, command_name="serve-store")


def _positive(name: str, text: str, flag: str, *, zero: bool = False) -> int:
    from .._errors import InvalidOption

    rule = "an integer >= 0" if zero else "an integer >= 1"
    try:
        value = int(text)
    except ValueError:
        raise InvalidOption(name, text, rule, source=flag) from None
    if value < (0 if zero else 1):
        raise InvalidOption(name, value, rule, source=flag)
    return value


def _scopes(text: str | None) -> list[str] | None:
    from .._errors import InvalidOption
    from .._store.state import all_scopes

    if text is None:
        return None
    scopes = [s.strip() for s in text.split(",") if s.strip()]
    known = all_scopes()
    unknown = [s for s in scopes if s not in known]
    if unknown or not scopes:
        raise InvalidOption(
            "scope",
            unknown[0] if unknown else text,
            f"one of {', '.join(known)}",
            source="--scopes",
        )
    return scopes


def run(args: argparse.Namespace) -> int:
    from .._clock import RealClock
    from .._servers.store import EcwidStore
    from .._servers.tls import LocalHTTPSServer

    port = _parse_port(args.port)
    seed = _positive("seed", args.seed, "--seed", zero=True)
    store_id = None if args.store_id is None else _positive("store id", args.store_id, "--store-id")
    rate_limit = _positive("rate limit", args.rate_limit, "--rate-limit")
    scopes = _scopes(args.scopes)
    log = _log_json if args.json else _log_text
    db = None
    if args.data:
        from .._store.persist import open_store

        state, db = open_store(
            args.data,
            seed=seed,
            store_id=store_id,
            clock=RealClock(),
            scopes=scopes,
            seeding=SEEDED,
            source="--data",
        )
        store = EcwidStore(state=state, rate_limit=rate_limit, on_request=log)
    else:
        store = EcwidStore(
            seed=seed,
            store_id=store_id,
            clock=RealClock(),
            scopes=scopes,
            rate_limit=rate_limit,
            on_request=log,
        ).seed(**SEEDED)
    forwarder = _forwarder(args, store, seed)
    server = LocalHTTPSServer(store.api, host="127.0.0.1", port=port, kind="asgi")
    with _sigterm_as_interrupt():
        try:
            server.start()
            ready = {
                "api_url": f"{server.url}/api/v3/{store.store_id}",
                "store_id": store.store_id,
                "token": store.token,
                "cacert": str(server.certificates.ca_pem_path),
            }
            print(json.dumps(ready), flush=True)
            server.serve_forever()  # returns on Ctrl-C
        except KeyboardInterrupt:
            pass
        finally:
            if forwarder is not None:
                forwarder.close()
            server.stop()
            server.certificates.cleanup()
            if db is not None:
                db.close()
    print("ecwid-mock: store stopped", file=sys.stderr)
    return 0


def _forwarder(args: argparse.Namespace, store: Any, seed: int) -> Any:
    """The webhook sender of --webhook-url (checked before the store starts), or None."""
    secret = optional_secret(args)
    if args.webhook_url is None:
        if secret is not None or args.cacert is not None:
            raise CommandError("--client-secret and --cacert go with --webhook-url")
        return None
    if secret is None:
        raise CommandError(
            "--webhook-url needs the app's secret: --client-secret S or $ECWID_CLIENT_SECRET"
        )
    from .._store_events import WebhookForwarder

    report = _webhook_json if args.json else _webhook_text
    return WebhookForwarder(
        store,
        args.webhook_url,
        client_secret=secret,
        verify=args.cacert if args.cacert is not None else True,
        insecure_http_not_ecwid=args.insecure_http_not_ecwid,
        on_delivery=report,
        seed=seed,
    )


def _webhook_text(delivery: Any) -> None:
    last = delivery.attempts[-1] if delivery.attempts else None
    result = "accepted" if delivery.delivered else (delivery.reason or "not sent")
    status = last.status_code if last is not None and last.status_code is not None else "-"
    print(f"webhook {delivery.event.event_type} {status} {result}", flush=True)


def _webhook_json(delivery: Any) -> None:
    last = delivery.attempts[-1] if delivery.attempts else None
    record = {
        "webhook": delivery.event.event_type,
        "event_id": delivery.event.event_id,
        "status": None if last is None else last.status_code,
        "outcome": delivery.outcome.value,
        "reason": delivery.reason,
        "attempts": len(delivery.attempts),
    }
    print(json.dumps(record), flush=True)


def _log_text(call: StoreCall) -> None:
    print(f"{call.method} {call.path} {call.status} {call.endpoint}", flush=True)


def _log_json(call: StoreCall) -> None:
    record = {
        "method": call.method,
        "path": call.path,
        "query": {k: v for k, v in call.query.items() if k != "token"},
        "status": call.status,
        "endpoint": call.endpoint,
        "app": call.app,
    }
    print(json.dumps(record), flush=True)
