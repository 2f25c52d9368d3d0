"""The conformance suite: its options, targets and run (the package docstring shows its use)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from .._delivery.record import RESPONSE_BUDGET
from .._errors import InvalidOption
from .._events.signing import Secret
from .._schemas.catalog import select_event_types
from .._schemas.contract import contract
from .._transports.apps import describe_app
from . import checks as _checks
from . import rest as _rest
from .report import CheckResult, ConformanceReport, Exchange, Verdict

if TYPE_CHECKING:
    import ssl
    from os import PathLike

    from .._delivery.sender import Sender
    from .._events.app import EcwidApp
    from .._events.factory import EventFactory
    from .._servers.store import EcwidStore

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "REST_CHECKS",
    "REST_CHECK_IDS",
    "CheckResult",
    "ConformanceReport",
    "ConformanceSuite",
    "ConformanceWarning",
    "Exchange",
    "Verdict",
    "run_conformance",
    "select_event_types",
]

#: check id -> one-line description, in the order the checks run.
CHECKS: Mapping[str, str] = MappingProxyType({spec.id: spec.title for spec in _checks.CHECKS})
#: The check ids, in run order.
CHECK_IDS: tuple[str, ...] = tuple(CHECKS)
#: The REST checks (run when the suite has the store the receiver calls): id -> description.
REST_CHECKS: Mapping[str, str] = MappingProxyType({s.id: s.title for s in _rest.REST_CHECKS})
#: The REST check ids, in run order (after :data:`CHECK_IDS`).
REST_CHECK_IDS: tuple[str, ...] = tuple(REST_CHECKS)
_ALL_IDS = CHECK_IDS + REST_CHECK_IDS

DEFAULT_PATH = contract().default_path
_SPECS = {spec.id: spec for spec in _checks.CHECKS}
_REST_SPECS = {spec.id: spec for spec in _rest.REST_CHECKS}


class ConformanceWarning(UserWarning):
    """A check ended with a warning: the receiver works, but something is risky.

    ``pytest --ecwid-conformance`` emits it for each warn verdict. To keep it visible in a
    project that turns warnings into errors, add
    ``default::ecwid_mock.conformance.ConformanceWarning`` to ``filterwarnings``.
    """


class ConformanceSuite:
    """The checks against one receiver, sharing what they send (each thing is sent once).

    Give ``app=`` (an ASGI or WSGI app, called in-process at ``path``) or ``url`` (local
    HTTPS or live; ``verify`` is True, a CA file or an ``ssl.SSLContext``).
    ``client_secret`` is the app's client secret the receiver verifies with. ``apps`` are
    several :class:`~ecwid_mock.EcwidApp` sharing the URL (each with its secret and custom
    headers): the first one is used by every check, and ``app-secrets`` checks that each
    app's events verify with its own secret only. ``events`` are
    the subscribed event types (names or patterns like ``"order.*"``; default all 42
    documented ones). ``observe`` returns a snapshot of the receiver's side effects (effects
    per eventId, a count, or a collection) and enables the idempotency checks; effects may
    lag the answer by up to ``settle`` seconds. ``timeout`` (Ecwid: 10 s) bounds every
    answer, ``slow_after`` (3 s) is where p95 response times warn. ``access_token`` is the
    store's ``secret_...`` token, to test a receiver that wrongly keys its HMAC with it
    (default: a made-up one). ``seed`` makes the events reproducible (default: random,
    so eventIds differ between runs against a live receiver). ``store_id`` is the store the
    events come from (default: drawn from the seed; give yours to a receiver that checks
    it). ``store`` is the :class:`~ecwid_mock.EcwidStore` whose REST API the receiver calls:
    it adds the REST checks (:data:`REST_CHECKS`), and the events then come from the store
    (its storeId, orders it holds). ``label`` names the target
    in reports (default: the app's qualified name, or the URL).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        app: Callable[..., Any] | None = None,
        path: str = DEFAULT_PATH,
        client_secret: str | bytes | Secret | None = None,
        apps: Iterable[EcwidApp] | None = None,
        verify: bool | str | PathLike[str] | ssl.SSLContext = True,
        events: Iterable[str] | str | None = None,
        observe: Callable[[], object] | None = None,
        settle: float = 0.5,
        timeout: float = RESPONSE_BUDGET,
        connect_timeout: float = contract().connect_timeout,
        slow_after: float = 3.0,
        access_token: str | bytes | Secret | None = None,
        seed: int | None = None,
        store_id: int | None = None,
        concurrency: int = 8,
        custom_headers: Mapping[str, str | Secret] | None = None,
        app_kind: Literal["auto", "asgi", "wsgi"] = "auto",
        insecure_http_not_ecwid: bool = False,
        label: str | None = None,
        store: EcwidStore | None = None,
    ) -> None:
        if (url is None) == (app is None):
            raise InvalidOption(
                "target",
                "both url and app" if url is not None else "neither url nor app",
                "exactly one: url= for HTTPS or a live receiver, app= for an in-process one",
                source="ConformanceSuite",
            )
        if observe is not None and not callable(observe):
            raise InvalidOption(
                "observe",
                observe,
                "a callable returning a snapshot, or None",
                source="ConformanceSuite",
            )
        timeout = _seconds("timeout", timeout)
        options = _checks.Options(
            events=select_event_types(events, source="ConformanceSuite(events=...)"),
            timeout=timeout,
            slow_after=_seconds("slow_after", slow_after),
            settle=_seconds("settle", settle, minimum=0.0),
            concurrency=_count("concurrency", concurrency),
            access_token_given=access_token is not None,
        )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise InvalidOption(
                "seed", seed, "a non-negative integer or None", source="ConformanceSuite"
            )
        from .._clock import RealClock, VirtualClock
        from .._delivery.retry import RetryPolicy
        from .._delivery.sender import Sender
        from .._events.app import EcwidApp
        from .._events.factory import EventFactory
        from .._servers.store import EcwidStore
        from .._transports.wire import Timeouts

        if store is not None:
            if not isinstance(store, EcwidStore):
                raise InvalidOption(
                    "store",
                    type(store).__name__,
                    "an ecwid_mock.EcwidStore (the store the receiver calls) or None",
                    source="ConformanceSuite",
                )
            if store_id is not None and store_id != store.store_id:
                raise InvalidOption(
                    "store_id",
                    store_id,
                    f"left out or the store's own id ({store.store_id})",
                    source="ConformanceSuite(store=...)",
                )
            store_id = store.store_id

        app_list = list(apps) if apps is not None else []
        for item in app_list:
            if not isinstance(item, EcwidApp):
                raise InvalidOption(
                    "apps", type(item).__name__, "ecwid_mock.EcwidApp values", source="apps="
                )
        if app_list and (client_secret is not None or custom_headers is not None):
            raise InvalidOption(
                "client_secret/custom_headers",
                "given with apps",
                "left out: with apps= each app brings its own",
                source="ConformanceSuite",
            )
        if client_secret is None:
            if not app_list:
                raise InvalidOption(
                    "client_secret",
                    None,
                    "the app's client secret (or apps=)",
                    source="ConformanceSuite",
                )
            client_secret, custom_headers = app_list[0].client_secret, app_list[0].custom_headers
        secret = Secret(client_secret)
        common: dict[str, Any] = {
            "timeouts": Timeouts(
                connect=_seconds("connect_timeout", connect_timeout), response=timeout
            ),
            "retry_policy": RetryPolicy.current(),
            "clock": VirtualClock(),
            "custom_headers": custom_headers,
        }
        if app is not None:
            self._sender: Sender = Sender.for_app(app, path=path, app_kind=app_kind, **common)
            self.target = f"in-process app {label or describe_app(app)} at {path}"
        else:
            from .._delivery.url import redact_url

            assert url is not None
            self._sender = Sender(
                url, verify=verify, insecure_http_not_ecwid=insecure_http_not_ecwid, **common
            )
            self.target = redact_url(url) + (f" ({label})" if label else "")
        self._factory: EventFactory = EventFactory(
            seed=seed,
            store_id=store_id,
            client_secret=secret,
            clock=RealClock(),
            access_token=access_token,
        )
        observer = _checks.Observer(observe, settle=options.settle) if observe is not None else None
        self.options = options
        self._app_senders: list[Sender] = []
        lines: list[_checks.AppLine] = []
        for item in app_list:
            app_options = {**common, "custom_headers": item.custom_headers}
            if app is not None:
                line_sender = Sender.for_app(app, path=path, app_kind=app_kind, **app_options)
            else:
                assert url is not None
                line_sender = Sender(
                    url,
                    verify=verify,
                    insecure_http_not_ecwid=insecure_http_not_ecwid,
                    **app_options,
                )
            self._app_senders.append(line_sender)
            line_factory = EventFactory(
                seed=(self._factory.seed + len(lines) + 1) % 2**32,
                store_id=self._factory.store_id,
                client_secret=item.client_secret,
                clock=RealClock(),
            )
            lines.append(_checks.AppLine(item, line_sender, line_factory))
        self._probes = _checks.Probes(
            self._sender, self._factory, options, observer, lines, store=store
        )
        self.store = store
        self._rest = _rest.RestProbes(self._probes, store) if store is not None else None
        self._results: dict[str, CheckResult] = {}
        self._started = time.time()

    @property
    def event_types(self) -> tuple[str, ...]:
        """The subscribed event types the suite sends."""
        return self.options.events

    @property
    def seed(self) -> int:
        """Pass it as ``seed=`` to send the same events again."""
        return self._factory.seed

    @property
    def store_id(self) -> int:
        """The storeId every event carries."""
        return self._factory.store_id

    @property
    def check_ids(self) -> tuple[str, ...]:
        """The checks :meth:`run` runs by default: the REST ones too when there is a store."""
        return _ALL_IDS if self._rest is not None else CHECK_IDS

    def run_check(self, check_id: str) -> CheckResult:
        """Run one check (what it needs from others is sent once and kept)."""
        if check_id not in _ALL_IDS:
            raise InvalidOption("check", check_id, "one of " + ", ".join(_ALL_IDS))
        if check_id not in self._results:
            started = time.perf_counter()
            rest_spec = _REST_SPECS.get(check_id)
            if rest_spec is not None:
                finding, title = rest_spec.run(self._rest), rest_spec.title
            else:
                spec = _SPECS[check_id]
                finding = _checks.from_evidence(spec.run(self._probes), self._probes)
                title = spec.title
            self._results[check_id] = CheckResult.of(
                finding, id=check_id, title=title, duration=time.perf_counter() - started
            )
        return self._results[check_id]

    def run(self, checks: Iterable[str] | None = None) -> ConformanceReport:
        """Run ``checks`` (default: :attr:`check_ids`, in order) and report."""
        wanted = self.check_ids if checks is None else tuple(checks)
        for check_id in wanted:
            if check_id not in _ALL_IDS:
                raise InvalidOption("check", check_id, "one of " + ", ".join(_ALL_IDS))
        started = time.perf_counter()
        results = tuple(self.run_check(c) for c in wanted)
        return self.report(results, elapsed=time.perf_counter() - started)

    def report(
        self, results: Iterable[CheckResult] | None = None, *, elapsed: float | None = None
    ) -> ConformanceReport:
        """A report of ``results`` (default: every check run so far, in run order)."""
        chosen = (
            tuple(results)
            if results is not None
            else tuple(self._results[c] for c in _ALL_IDS if c in self._results)
        )
        return ConformanceReport(
            target=self.target,
            store_id=self.store_id,
            results=chosen,
            event_types=self.options.events,
            seed=self.seed,
            started_at=self._started,
            elapsed=elapsed if elapsed is not None else sum(r.duration for r in chosen),
        )

    def close(self) -> None:
        """Close connections (and the event loop of an in-process ASGI app)."""
        if self._rest is not None:
            self._rest.close()
        for sender in self._app_senders:
            sender.close()
        self._sender.close()

    def __enter__(self) -> ConformanceSuite:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<ConformanceSuite {self.target}: {len(self.options.events)} event types, "
            f"seed {self.seed}>"
        )


def run_conformance(
    url: str | None = None, *, checks: Iterable[str] | None = None, **options: Any
) -> ConformanceReport:
    """Build a :class:`ConformanceSuite` with ``options``, run ``checks`` and close it."""
    with ConformanceSuite(url, **options) as suite:
        return suite.run(checks)


def _seconds(name: str, value: object, *, minimum: float | None = None) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or (value < minimum if minimum is not None else value <= 0)
    ):
        rule = "a number of seconds >= 0" if minimum is not None else "a positive number of seconds"
        raise InvalidOption(name, value, rule, source="ConformanceSuite")
    return float(value)


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidOption(name, value, "an integer of at least 1", source="ConformanceSuite")
    return value
