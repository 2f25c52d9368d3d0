"""``pytest --ecwid-conformance``: every conformance check as its own test item.

The items run against the target the plugin is configured for (``ecwid_url``, ``ecwid_app``,
``ecwid_transport``) with the ``ecwid_client_secret`` fixture's secret. They share one
:class:`~ecwid_mock.conformance.ConformanceSuite` per session, so each request is sent once
however the items are selected. A check that fails fails its item; a skip skips it; a
warning passes with an :class:`~ecwid_mock.conformance.ConformanceWarning`.

Several apps at one URL: define a fixture ``ecwid_apps`` returning a list of
:class:`~ecwid_mock.EcwidApp`; the first is used by every check and ``app-secrets`` checks
each one. To enable the idempotency checks, define a fixture ``ecwid_observe`` (in conftest.py) that
returns a callable giving a snapshot of the receiver's side effects: effects per eventId (a
dict), a count, or a collection. To add the REST checks (``rest-*``: the receiver's fetches
of what a webhook names, 404, 403, 429 and paging), define a session-scoped fixture
``ecwid_conformance_store`` returning the :class:`~ecwid_mock.EcwidStore` your app calls.
The plugin module wires this in with two hooks; this module
holds the work, and imports ecwid-mock's heavy parts only when the items run.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from ._conformance_options import add_options

if TYPE_CHECKING:
    from ecwid_mock.conformance import CheckResult, ConformanceSuite

__all__ = ["GROUP", "MARKER", "ConformanceItem", "add_items", "add_options"]

GROUP = "ecwid-conformance"
MARKER = (
    "ecwid_conformance: an ecwid-mock receiver conformance check "
    "(added by --ecwid-conformance; select them alone with -m ecwid_conformance)"
)
ACCESS_TOKEN_ENV = "ECWID_ACCESS_TOKEN"
_DEFAULTS = {"timeout": 10.0, "slow_after": 3.0, "settle": 0.5}
_SUITE = pytest.StashKey["ConformanceSuite | str"]()


class ConformanceGroup(pytest.Collector):
    """The parent of the conformance items, so that their ids read ``ecwid-conformance::<id>``."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []


class ConformanceItem(pytest.Function):
    """One conformance check as a test; it gets fixtures like any test function."""

    check_id: str

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{GROUP}: {self.check_id}"


STORE_FIXTURE = "ecwid_conformance_store"


def add_items(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append one item per check (call from ``pytest_collection_modifyitems``); the REST
    checks too when an ``ecwid_conformance_store`` fixture is defined."""
    from ecwid_mock.conformance import CHECK_IDS, REST_CHECK_IDS

    config.addinivalue_line("markers", MARKER)
    home = _home(session, items)
    nodeid = f"{home.nodeid}/{GROUP}" if home.nodeid else GROUP
    group = ConformanceGroup.from_parent(home, name=GROUP, nodeid=nodeid)
    with_store = bool(session._fixturemanager.getfixturedefs(STORE_FIXTURE, home))
    for check_id in CHECK_IDS + (REST_CHECK_IDS if with_store else ()):
        item = ConformanceItem.from_parent(group, name=check_id, callobj=_runner(check_id))
        item.check_id = check_id
        item.add_marker("ecwid_conformance")
        items.append(item)


def _home(session: pytest.Session, items: list[pytest.Item]) -> pytest.Collector:
    """Where the items go: the shallowest collected directory that sees a user's ``ecwid_app``
    fixture (a tests/conftest.py, a nested package's), else the session (a root conftest,
    the ini setting or a URL). Items there see that conftest's fixtures as its tests do."""
    manager = session._fixturemanager
    directories: dict[str, pytest.Directory] = {}
    for item in items:
        for node in item.listchain():
            if isinstance(node, pytest.Directory):
                directories.setdefault(node.nodeid, node)
    for node in sorted(directories.values(), key=lambda n: len(n.listchain())):
        definitions = manager.getfixturedefs("ecwid_app", node) or ()
        if definitions and not _is_plugins(definitions[-1].func):
            return session if node.nodeid in ("", ".") else node
    return session


def _is_plugins(func: object) -> bool:
    return getattr(func, "__module__", "") == "pytest_ecwid.plugin"


def _runner(check_id: str) -> Callable[[pytest.FixtureRequest], None]:
    def run_conformance_check(request: pytest.FixtureRequest) -> None:
        suite = _suite(request)
        result = suite.run_check(check_id)
        _report(request.node, result, suite.seed)

    return run_conformance_check


def _report(item: pytest.Item, result: CheckResult, seed: int) -> None:
    from ecwid_mock.conformance import ConformanceWarning, Verdict

    text = f"{result.explain()}\n  (events seeded with {seed}: --ecwid-seed={seed} repeats them)"
    if result.verdict is Verdict.FAIL:
        pytest.fail(text, pytrace=False)
    item.add_report_section("call", "ecwid-conformance", text)
    if result.verdict is Verdict.SKIP:
        pytest.skip(f"{result.id}: {result.summary}")
    if result.verdict is Verdict.WARN:
        warnings.warn(ConformanceWarning(f"{result.id}: {result.summary}"), stacklevel=1)


def _suite(request: pytest.FixtureRequest) -> ConformanceSuite:
    """The session's suite, built on first use from the plugin's settings and fixtures."""
    config = request.config
    cached = config.stash.get(_SUITE, None)
    if cached is None:
        try:
            cached = _build_suite(request)
        except ValueError as exc:  # every ecwid-mock error about bad input is a ValueError
            cached = f"ecwid-mock conformance: {exc}"
        else:
            config.add_cleanup(cached.close)
        config.stash[_SUITE] = cached
    if isinstance(cached, str):
        pytest.fail(cached, pytrace=False)
    return cached


def _build_suite(request: pytest.FixtureRequest) -> ConformanceSuite:
    from ecwid_mock.conformance import ConformanceSuite, select_event_types

    config = request.config
    settings = request.getfixturevalue("ecwid_settings")
    try:
        observe = request.getfixturevalue("ecwid_observe")
    except pytest.FixtureLookupError:
        observe = None
    raw_events, where = _setting(config, "events")
    events = select_event_types(raw_events, source=where) if raw_events else None
    try:
        apps = request.getfixturevalue("ecwid_apps")
    except pytest.FixtureLookupError:
        apps = None
    try:
        store = request.getfixturevalue(STORE_FIXTURE)
    except pytest.FixtureLookupError:
        store = None
    auth: dict[str, Any] = (
        {"apps": apps}
        if apps is not None
        else {"client_secret": request.getfixturevalue("ecwid_client_secret")}
    )
    options: dict[str, Any] = {
        **auth,
        "events": events,
        "observe": observe,
        "access_token": os.environ.get(ACCESS_TOKEN_ENV) or None,
        "seed": settings.seed if "seed" in settings.origins else None,
        "store_id": request.getfixturevalue("ecwid_store_id"),
        "label": settings.app,
        "store": store,
        **{name: _seconds(config, name) for name in _DEFAULTS},
    }
    if settings.transport == "inprocess":
        seen = request.session._fixturemanager.getfixturedefs("ecwid_app", request.node)
        if settings.app is None and (not seen or _is_plugins(seen[-1].func)):
            pytest.fail(_no_app(config), pytrace=False)
        from ecwid_mock._transports.apps import app_kind

        app = request.getfixturevalue("ecwid_app")
        app_kind(app, source="the ecwid_app fixture")
        return ConformanceSuite(app=app, path=settings.path, **options)
    if settings.transport == "https":
        server = request.getfixturevalue("ecwid_https_server")
        return ConformanceSuite(
            server.url + settings.path, verify=server.client_ssl_context(), **options
        )
    return ConformanceSuite(settings.url, **options)


def _no_app(config: pytest.Config) -> str:
    """Which fixture was looked for, and where."""
    conftests = sorted(
        os.path.relpath(str(getattr(plugin, "__file__", "")), config.rootpath)
        for plugin in config.pluginmanager.get_plugins()
        if str(getattr(plugin, "__file__", "")).endswith("conftest.py")
    )
    looked = ", ".join(conftests) if conftests else "none were found"
    return (
        "ecwid-mock conformance: no receiver app. Looked for a fixture named `ecwid_app` in "
        f"the conftest.py files of the collected tests ({looked}) and for the ecwid_app ini "
        "setting. Define `ecwid_app` (returning your ASGI or WSGI app) in a conftest.py next "
        "to or above your tests, set `ecwid_app = myproject.app:app`, or set `ecwid_url`."
    )


def _setting(config: pytest.Config, name: str) -> tuple[str | None, str]:
    """(raw value, where it came from): command line first, then the ini file."""
    value = config.getoption(f"ecwid_conformance_{name}")
    if value not in (None, ""):
        return value, "--ecwid-conformance-" + name.replace("_", "-")
    ini = config.getini(f"ecwid_conformance_{name}")
    where = f"ecwid_conformance_{name} in {config.inipath.name if config.inipath else 'ini'}"
    return (ini or None), where


def _seconds(config: pytest.Config, name: str) -> float:
    from ecwid_mock import InvalidOption

    raw, where = _setting(config, name)
    if raw is None:
        return _DEFAULTS[name]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and name != "settle"):
        raise InvalidOption(
            f"ecwid_conformance_{name}", raw, "a positive number of seconds", source=where
        )
    return value
