"""The ``ecwid`` pytest plugin: fixtures and hooks only; the work lives in ``ecwid_mock``.

Settings precedence: ``@pytest.mark.ecwid(...)`` > command line > environment > ini file.
Nothing of ``ecwid_mock`` is imported until a fixture or setting is used: a run that gives no
ecwid setting resolves the defaults on first use, one that gives any checks them at start-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ecwid_mock import EcwidStore, EventFactory, LocalHTTPSServer, VirtualClock
    from ecwid_mock._mock_ecwid import MockEcwid
    from ecwid_mock._settings import Settings

HELP = {
    "url": "webhook URL: a full https:// URL for a live target, or a path such as "
    "/webhooks/ecwid for in-process and local HTTPS delivery (default /webhooks/ecwid)",
    "client_secret": "the app's client secret used to sign events (env ECWID_CLIENT_SECRET)",
    "store_id": "store id of generated events (default: drawn from the seed)",
    "seed": "base seed; each test's seed is derived from it and the test id (default 0)",
    "transport": "inprocess, https or live (default: live for a full URL, else inprocess)",
    "app": "dotted path of the receiver's ASGI or WSGI app, e.g. myproject.app:app",
    "clock_start": "where each test's ecwid_clock starts: now (default, the wall clock), UNIX "
    "seconds or ISO 8601 such as 2024-09-04T00:00:00Z",
    "cacert": "PEM file of the CA a live ecwid_url's certificate chains to (a private CA)",
}
MARKER = (
    "ecwid(*, url=None, transport=None, client_secret=None, store_id=None, seed=None, app=None, "
    "clock_start=None): "
    "per-test ecwid-mock settings, overriding command line, environment and ini."
)
CASSETTE_MARKER = (
    "ecwid_cassette(path): the cassette of this test's ecwid.replay() and recording "
    "(default tests/cassettes/<module>/<test>.jsonl)."
)
RECORD_MODE_HELP = (
    "none (default: only replay), once (record a test's deliveries when its cassette is "
    "missing), new (append deliveries not in it yet) or all (record it again)"
)
#: The header of a run that gives no setting: ``Settings().describe()`` (a test keeps the two
#: equal), written out so that a plugin nobody uses loads nothing of ecwid_mock for its header.
DEFAULT_HEADER = "seed 0, target: in-process app, path /webhooks/ecwid"
_SETTINGS = pytest.StashKey["Settings"]()
_CLI = ("url", "client_secret", "store_id", "seed", "transport", "clock_start", "cacert")
_ENV = "ECWID_CLIENT_SECRET"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ecwid", "Ecwid webhook testing (ecwid-mock)")
    for name in _CLI:
        flag = "--ecwid-" + name.replace("_", "-")
        group.addoption(flag, dest=f"ecwid_{name}", default=None, help=HELP[name])
    for name, text in HELP.items():
        parser.addini(f"ecwid_{name}", text, default=None)
    group.addoption(
        "--ecwid-record-mode", dest="ecwid_record_mode", default=None, help=RECORD_MODE_HELP
    )
    parser.addini("ecwid_record_mode", RECORD_MODE_HELP, default=None)
    from ._conformance_options import add_options

    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    config.addinivalue_line("markers", CASSETTE_MARKER)
    given = (
        _ENV in os.environ
        or any(config.getoption(f"ecwid_{name}") is not None for name in _CLI)
        or any(config.getini(f"ecwid_{name}") is not None for name in HELP)
    )
    if given:  # a bad value stops the run here, in one line
        _resolve(config, os.environ)
    if (
        config.getoption("ecwid_record_mode") is not None
        or config.getini("ecwid_record_mode") is not None
    ):
        from ._support import record_mode

        record_mode(config)


def _settings(config: pytest.Config) -> Settings:
    """The run's settings: resolved at start-up if any was given, else (defaults) on first use."""
    settings = config.stash.get(_SETTINGS, None)
    return _resolve(config, {}) if settings is None else settings  # {}: no $ECWID_ at start-up


def _resolve(config: pytest.Config, environ: Mapping[str, str]) -> Settings:
    from ._support import session_settings

    try:
        settings = config.stash[_SETTINGS] = session_settings(config, environ)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    return settings


def pytest_report_header(config: pytest.Config) -> str:
    settings = config.stash.get(_SETTINGS, None)  # None: no setting given, the defaults
    return f"ecwid-mock: {DEFAULT_HEADER if settings is None else settings.describe()}"


@pytest.hookimpl(tryfirst=True)  # add the items before -k/-m deselection
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if config.getoption("ecwid_conformance"):
        from ._conformance import add_items

        add_items(session, config, items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Add the ecwid-mock section to a failure; mask secrets (``-l`` prints frames' locals)."""
    report = yield
    if report.failed and "ecwid_seed" in getattr(item, "funcargs", {}):
        from ._support import failure_section

        section = failure_section(item, _settings(item.config))
        report.sections.append(("ecwid-mock", section))
        item.user_properties.append(("ecwid-mock", section))  # JUnit XML carries it too
    if "ecwid_mock._secrets" in sys.modules:  # where secrets are registered: none before
        from ._support import mask_report

        mask_report(report)
    return report


@pytest.fixture
def ecwid_settings(request: pytest.FixtureRequest) -> Settings:
    """Scope: function. Type: ``ecwid_mock._settings.Settings``. This test's resolved settings."""
    from ._support import settings_for_test

    return settings_for_test(request.node, _settings(request.config))


@pytest.fixture(scope="session")
def ecwid_client_secret(pytestconfig: pytest.Config) -> str:
    """Scope: session. Type: str (its repr is masked, so ``pytest -l`` never shows it).
    Default: ecwid_client_secret setting, else a fixed test secret."""
    from ecwid_mock._secrets import MaskedStr

    return MaskedStr(_settings(pytestconfig).client_secret.reveal().decode())


@pytest.fixture(scope="session")
def ecwid_store_id(pytestconfig: pytest.Config) -> int | None:
    """Scope: session. Type: int | None. Default: ecwid_store_id setting, else from the seed."""
    return _settings(pytestconfig).store_id


@pytest.fixture
def ecwid_seed(ecwid_settings: Settings, request: pytest.FixtureRequest) -> int:
    """Scope: function. Type: int. Default: derived from the base seed and the test id."""
    from ._support import seed_for

    return seed_for(request.node, ecwid_settings)


@pytest.fixture
def ecwid_clock(ecwid_settings: Settings) -> VirtualClock:
    """Scope: function. Type: ``ecwid_mock.VirtualClock``. Default: starts at the wall clock
    (to the second); ``ecwid_clock_start`` (ini, ``--ecwid-clock-start``, marker) pins it."""
    from ._support import make_clock

    clock: VirtualClock = make_clock(ecwid_settings)
    return clock


@pytest.fixture
def ecwid_factory(
    ecwid_seed: int,
    ecwid_store_id: int | None,
    ecwid_client_secret: str,
    ecwid_settings: Settings,
    ecwid_clock: VirtualClock,
) -> EventFactory:
    """Scope: function. Type: ``ecwid_mock.EventFactory``, seeded with ``ecwid_seed``."""
    from ._support import make_factory

    factory: EventFactory = make_factory(
        ecwid_seed, ecwid_store_id, ecwid_client_secret, ecwid_settings, ecwid_clock
    )
    return factory


@pytest.fixture(scope="session")
def ecwid_app(pytestconfig: pytest.Config) -> Any:
    """Scope: session. Type: ASGI or WSGI app. Override it, or set ``ecwid_app`` in ini."""
    from ._support import configured_app

    return configured_app(_settings(pytestconfig))


@pytest.fixture(scope="session")
def _ecwid_https_servers() -> Iterator[dict[int, tuple[Any, LocalHTTPSServer]]]:
    servers: dict[int, tuple[Any, LocalHTTPSServer]] = {}
    yield servers
    for _, server in servers.values():
        server.stop()


@pytest.fixture
def ecwid_https_server(
    ecwid_app: Any, _ecwid_https_servers: dict[int, tuple[Any, LocalHTTPSServer]]
) -> LocalHTTPSServer:
    """Scope: function; the server lives for the session, one per app, always shut down.

    Type: ``ecwid_mock.LocalHTTPSServer`` serving ``ecwid_app`` on 127.0.0.1 with a trustme
    certificate that the ``ecwid`` fixture trusts.
    """
    from ._support import https_server_for

    server: LocalHTTPSServer = https_server_for(ecwid_app, _ecwid_https_servers)
    return server


@pytest.fixture
def ecwid(
    request: pytest.FixtureRequest,
    ecwid_settings: Settings,
    ecwid_factory: EventFactory,
    ecwid_clock: VirtualClock,
) -> Iterator[MockEcwid]:
    """Scope: function. Type: ``ecwid_mock.MockEcwid``: sends events to the receiver under test."""
    from ._support import make_mock_ecwid

    mock = make_mock_ecwid(request.getfixturevalue, ecwid_settings, ecwid_factory, ecwid_clock)
    if "ecwid_store" in request.fixturenames:  # events and REST answers drawn from one store
        mock.attach_store(request.getfixturevalue("ecwid_store"))
    from ._support import cassette_for, record_cassette

    mock.cassette, mode = cassette_for(request)
    yield mock
    record_cassette(mock, mode)
    mock.close()


@pytest.fixture
def ecwid_store(
    ecwid_seed: int, ecwid_store_id: int | None, ecwid_clock: VirtualClock
) -> Iterator[EcwidStore]:
    """Scope: function. Type: ``ecwid_mock.EcwidStore``: an empty mock store on ``ecwid_clock``.

    Fill it with ``ecwid_store.seed(orders=30)``; call it through ``ecwid_store.transport()``
    (in-process) or ``ecwid_store.api_url`` and ``ecwid_store.cacert`` (HTTPS, started on use).
    """
    from ._support import make_store

    store: EcwidStore = make_store(ecwid_seed, ecwid_store_id, ecwid_clock)
    yield store
    store.close()
