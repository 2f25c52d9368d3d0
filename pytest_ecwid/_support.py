"""What the plugin's fixtures and hooks call: pytest-aware glue over ``ecwid_mock`` objects.

Kept out of ``plugin.py`` so that module stays a list of fixtures and hooks, and imported only
when a fixture or hook needs it, so that an unused plugin costs nothing at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ecwid_mock._events.signing import Secret
from ecwid_mock._settings import Settings, Source, load_app, resolve_settings

__all__ = [
    "checked_app",
    "configured_app",
    "failure_section",
    "https_server_for",
    "make_clock",
    "make_factory",
    "make_mock_ecwid",
    "seed_for",
    "session_settings",
    "settings_for_test",
]

_NAMES = ("url", "client_secret", "store_id", "seed", "transport", "app", "clock_start", "cacert")
_CLI = ("url", "client_secret", "store_id", "seed", "transport", "clock_start", "cacert")
_MARKER_LABEL = "@pytest.mark.ecwid"


def _sources(config: pytest.Config, environ: Mapping[str, str]) -> list[Source]:
    sources = [
        Source("--ecwid-" + name.replace("_", "-"), {name: config.getoption(f"ecwid_{name}")})
        for name in _CLI
    ]
    sources.append(
        Source(
            "environment variable ECWID_CLIENT_SECRET",
            {"client_secret": environ.get("ECWID_CLIENT_SECRET")},
        )
    )
    ini = config.inipath.name if config.inipath else "ini file"
    sources += [
        Source(f"ecwid_{name} in {ini}", {name: config.getini(f"ecwid_{name}")}) for name in _NAMES
    ]
    return sources


_SOURCES = pytest.StashKey[list[Source]]()


def session_settings(config: pytest.Config, environ: Mapping[str, str]) -> Settings:
    """The run's settings (command line > environment > ini); remembers the sources."""
    sources = _sources(config, environ)
    config.stash[_SOURCES] = sources
    return resolve_settings(sources)


def settings_for_test(node: pytest.Item, base: Settings) -> Settings:
    """This test's settings: its ``@pytest.mark.ecwid(...)`` on top of the run's."""
    marker = node.get_closest_marker("ecwid")
    if marker is None:
        return base
    if marker.args:
        pytest.fail(f"{_MARKER_LABEL} takes keyword arguments only, got {marker.args!r}", False)
    unknown = sorted(set(marker.kwargs) - set(_NAMES))
    if unknown:
        allowed = ", ".join(_NAMES)
        pytest.fail(
            f"{_MARKER_LABEL}: unknown setting(s) {', '.join(unknown)}; allowed: {allowed}", False
        )
    try:
        return resolve_settings(
            [Source(_MARKER_LABEL, marker.kwargs), *node.config.stash[_SOURCES]]
        )
    except ValueError as exc:
        message = str(exc)
    raise pytest.fail.Exception(message, pytrace=False) from None  # one line, not two


def seed_for(node: pytest.Item, settings: Settings) -> int:
    """A marker's seed as given; otherwise one derived from the base seed and the test id.

    Derived seeds differ per test, do not depend on test order or on pytest-xdist workers, and
    are reproduced by running the same test with the same ``--ecwid-seed``.
    """
    import hashlib

    if settings.origins.get("seed") == _MARKER_LABEL:
        return settings.seed
    digest = hashlib.sha256(f"{settings.seed}:{node.nodeid}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def failure_section(item: pytest.Item, base: Settings) -> str:
    """The "ecwid-mock" section of a failed test's report: seed, replay command, deliveries."""
    import shlex

    seed = item.funcargs.get("ecwid_seed")  # type: ignore[attr-defined]
    settings = item.funcargs.get("ecwid_settings")  # type: ignore[attr-defined]
    command = f"pytest {shlex.quote(_node_from_here(item))}"
    if settings is not None and settings.origins.get("seed") == _MARKER_LABEL:
        origin = f"set by {_MARKER_LABEL}"
    else:
        origin = f"from base seed {base.seed} and the test id"
        command += f" --ecwid-seed={base.seed}"
    lines = [f"seed {seed} ({origin})", f"reproduce: {command}"]
    mock = item.funcargs.get("ecwid")  # type: ignore[attr-defined]
    if mock is not None:
        lines += ["deliveries:", mock.deliveries.describe()]
        lines += app_tracebacks(mock.deliveries)
    return "\n".join(lines)


def app_tracebacks(deliveries: Any, *, limit: int = 3) -> list[str]:
    """The tracebacks of an in-process app that raised while answering (the first ``limit``)."""
    lines: list[str] = []
    shown = 0
    for delivery in deliveries:
        for attempt in delivery.attempts:
            if attempt.app_error and shown < limit:
                shown += 1
                event = delivery.event
                lines.append(
                    f"the receiver raised on {event.event_type} {event.event_id} "
                    f"(attempt {attempt.number}):"
                )
                lines += ["  " + line for line in attempt.app_error.rstrip().splitlines()]
    return lines


def _node_from_here(item: pytest.Item) -> str:
    """The test id as typed from the directory pytest was started in (not the rootdir)."""
    import os

    _, sep, rest = item.nodeid.partition("::")
    where = os.path.relpath(item.path, item.config.invocation_params.dir)
    return where + sep + rest


def configured_app(settings: Settings) -> Any:
    """The receiver app named by the ``ecwid_app`` setting, or a clear failure saying what to do."""
    if settings.app is None:
        pytest.fail(
            "ecwid-mock: no receiver app is configured. Override the `ecwid_app` fixture to return "
            "your ASGI or WSGI app, set `ecwid_app = myproject.app:app` in your ini file, or set "
            "`ecwid_url` to a full https:// URL to test a live receiver.",
            pytrace=False,
        )
    try:
        return load_app(settings.app, source=settings.origins.get("app", ""))
    except ValueError as exc:
        message = str(exc)
    raise pytest.fail.Exception(message, pytrace=False) from None  # one line, not two


def checked_app(app: Any) -> Any:
    """``app`` if it is an ASGI or WSGI app; else one failure line (a factory, say)."""
    from ecwid_mock._transports.apps import app_kind

    try:
        app_kind(app, source="the ecwid_app fixture")
    except ValueError as exc:
        problem = f"ecwid-mock: {exc}"
    else:
        return app
    pytest.fail(problem, pytrace=False)


def https_server_for(app: Any, servers: dict[int, tuple[Any, Any]]) -> Any:
    """One started ``LocalHTTPSServer`` per app for the whole session.

    Keyed by ``id(app)``; the app is kept beside its server so that the id stays its own.
    """
    entry = servers.get(id(app))
    if entry is None:
        from ecwid_mock import LocalHTTPSServer

        server = LocalHTTPSServer(app)
        server.start()
        entry = servers[id(app)] = (app, server)
    return entry[1]


def make_clock(settings: Settings) -> Any:
    """The test's virtual clock: at the ``ecwid_clock_start`` setting, else at the wall clock
    (so that a receiver with a replay window accepts the events)."""
    from ecwid_mock import VirtualClock
    from ecwid_mock._clock import now_start

    start = settings.clock_start
    return VirtualClock(start if start is not None else now_start())


def make_factory(
    seed: int, store_id: int | None, client_secret: str, settings: Settings, clock: Any
) -> Any:
    from ecwid_mock import EventFactory

    secret = client_secret_for(client_secret, settings)
    if settings.origins.get("store_id") == _MARKER_LABEL:
        store_id = settings.store_id
    return EventFactory(seed=seed, store_id=store_id, client_secret=secret, clock=clock)


def client_secret_for(client_secret: str, settings: Settings) -> str | Secret:
    """The marker's secret if the test has one, else the ``ecwid_client_secret`` fixture's."""
    if settings.origins.get("client_secret") == _MARKER_LABEL:
        return settings.client_secret
    return client_secret


def make_mock_ecwid(
    fixture: Callable[[str], Any], settings: Settings, factory: Any, clock: Any
) -> Any:
    """The ``ecwid`` fixture's object, wired to the configured transport.

    Retries run on the test's virtual clock whatever the transport, so tests stay fast and
    deterministic even against a live URL.
    """
    from ecwid_mock import MockEcwid

    if settings.transport == "inprocess":
        return MockEcwid.for_app(
            checked_app(fixture("ecwid_app")),
            path=settings.path,
            factory=factory,
            clock=clock,
        )
    if settings.transport == "https":
        server = fixture("ecwid_https_server")
        return MockEcwid(
            server.url + settings.path,
            factory=factory,
            clock=clock,
            verify=server.client_ssl_context(),
        )
    verify = settings.cacert if settings.cacert is not None else True  # a private CA's PEM
    return MockEcwid(settings.url, factory=factory, clock=clock, verify=verify)


def make_store(seed: int, store_id: int | None, clock: Any) -> Any:
    """The ``ecwid_store`` fixture's store: the test's seed, store id and virtual clock."""
    from ecwid_mock import EcwidStore

    return EcwidStore(seed=seed, store_id=store_id, clock=clock)


RECORD_MODES = ("none", "once", "new", "all")


def record_mode(config: pytest.Config) -> str:
    """--ecwid-record-mode, else the ``ecwid_record_mode`` ini key, else ``none``."""
    mode = config.getoption("ecwid_record_mode")
    source = "--ecwid-record-mode"
    if mode is None:
        mode, source = config.getini("ecwid_record_mode") or "none", "ini file: ecwid_record_mode"
    if mode not in RECORD_MODES:
        raise pytest.UsageError(
            f"invalid record mode {mode!r} (from {source}): must be one of "
            + ", ".join(RECORD_MODES)
        )
    return str(mode)


def cassette_for(request: pytest.FixtureRequest) -> tuple[Path, str]:
    """This test's cassette (marker, else tests/cassettes/<module>/<test>.jsonl) and record mode."""
    from ecwid_mock import cassette_path

    config = request.config
    mode = record_mode(config)
    marker = request.node.get_closest_marker("ecwid_cassette")
    if marker is not None and marker.args:
        path = Path(str(marker.args[0]))
        path = path if path.is_absolute() else config.rootpath / path
    else:
        module = request.node.path.relative_to(config.rootpath).as_posix()
        path = config.rootpath / cassette_path(module, request.node.name)
    return path, mode


def record_cassette(mock: Any, mode: str) -> None:
    """Write the test's deliveries to its cassette, as the record mode says."""
    path: Path = mock.cassette
    if mode == "none" or not mock.deliveries:
        return
    if mode == "once" and path.exists():
        return
    if mode == "all" and path.exists():
        path.unlink()
    if mode == "new" and path.exists():
        from ecwid_mock import Cassette

        known = {json.loads(i.body).get("eventId") for i in Cassette.load(path)}
        fresh = [d for d in mock.deliveries if d.event.event_id not in known]
        mock.deliveries.clear()
        for delivery in fresh:
            mock.deliveries.record(delivery)
    mock.save(path)


def mask_report(report: pytest.TestReport) -> None:
    """The report's failure text and captured sections with every known secret masked."""
    from ecwid_mock._secrets import mask

    if report.longrepr is not None:
        text = str(report.longrepr)
        masked = mask(text)
        if masked != text:
            report.longrepr = masked
    report.sections = [(title, mask(text)) for title, text in report.sections]
    report.user_properties = [(name, mask(str(value))) for name, value in report.user_properties]
