"""The REST conformance checks: a receiver that fetches what a webhook names, judged from its
answers and from the calls the mock store saw.

A correct fetching receiver passes every check; each planted defect (a crash on 404 or 403,
a tight loop on 429, reading one page of a search, the token in the query) fails exactly the
check that owns it, with a summary that says what the store observed; a receiver that makes
no REST call is "not observed", never a pass.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from ecwid_mock import EcwidStore, InvalidOption
from ecwid_mock.conformance import (
    CHECK_IDS,
    REST_CHECK_IDS,
    REST_CHECKS,
    ConformanceReport,
    ConformanceSuite,
    Verdict,
)
from tests.receivers import _base

PASS, FAIL, WARN, SKIP = Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.SKIP
SECRET = _base.CLIENT_SECRET


class Fetching(_base.Receiver):
    """The correct receiver, fetching each new order back from the store with httpx.

    A 404 (deleted meanwhile) or a 403 (scope missing) leaves nothing to do: it answers 200.
    A 429 waits ``Retry-After`` on the store's clock and tries once more, then asks Ecwid to
    redeliver (503). With ``search`` it also reads every order, page by page.
    """

    search = False

    def __init__(self, store: EcwidStore) -> None:
        super().__init__()
        self.store = store
        self.api = httpx.Client(
            transport=store.transport(),
            base_url=store.base_url,
            headers={"Authorization": f"Bearer {store.token}"},
        )
        self.fetched: dict[str, Any] = {}
        self.handlers["order.created"] = self.order_created

    def wait(self, seconds: int) -> None:
        self.store.clock.advance(seconds)  # type: ignore[attr-defined]  # a VirtualClock

    def get(self, path: str, **params: Any) -> httpx.Response:
        answer = self.api.get(path, params=params)
        if answer.status_code == 429:
            self.wait(int(answer.headers["retry-after"]))
            answer = self.api.get(path, params=params)
        return answer

    def order_created(self, payload: dict[str, Any]) -> None:
        super().order_created(payload)
        order_id = payload["data"]["orderId"]
        answer = self.get(f"/orders/{quote(order_id, safe='')}")
        if answer.status_code == 429:
            raise _base.Refused(503)  # still limited: Ecwid redelivers in a few minutes
        if answer.status_code == 404:
            return self.gone(answer)
        if answer.status_code == 403:
            return self.forbidden(answer)
        answer.raise_for_status()
        self.fetched[order_id] = answer.json()
        if self.search:
            self.read_all_orders()
        return None

    def gone(self, answer: httpx.Response) -> None:
        """Deleted meanwhile: nothing to do."""

    def forbidden(self, answer: httpx.Response) -> None:
        """The token lacks a scope: log it for a person; retrying will not help."""

    def read_all_orders(self) -> int:
        offset = 0
        while True:
            page = self.get("/orders", offset=offset, limit=100).json()
            offset += page["count"]
            if page["count"] == 0 or offset >= page["total"]:
                return offset


class Searching(Fetching):
    search = True


class CrashesOn404(Fetching):
    def gone(self, answer: httpx.Response) -> None:
        answer.raise_for_status()


class CrashesOn403(Fetching):
    def forbidden(self, answer: httpx.Response) -> None:
        answer.raise_for_status()


class RefusesOn403(Fetching):
    def forbidden(self, answer: httpx.Response) -> None:
        raise _base.Refused(503)


class LoopsOn429(Fetching):
    def get(self, path: str, **params: Any) -> httpx.Response:
        for _ in range(50):  # "retry until it works", with a safety net
            answer = self.api.get(path, params=params)
            if answer.status_code != 429:
                break
        return answer


class RetriesOnceAt429(Fetching):
    def get(self, path: str, **params: Any) -> httpx.Response:
        answer = self.api.get(path, params=params)
        if answer.status_code == 429:
            answer = self.api.get(path, params=params)  # at once
        return answer


class RedeliversOn429(Fetching):
    def wait(self, seconds: int) -> None:
        raise _base.Refused(503)  # leave the retry to Ecwid


class DropsOn429(Fetching):
    def wait(self, seconds: int) -> None:
        raise _base.Refused(200)  # acknowledged, never fetched


class FirstPageOnly(Searching):
    def read_all_orders(self) -> int:
        return int(self.get("/orders", limit=100).json()["count"])


class QueryToken(Fetching):
    def __init__(self, store: EcwidStore) -> None:
        super().__init__(store)
        self.api = httpx.Client(
            transport=store.transport(), base_url=store.base_url, params={"token": store.token}
        )


def rest_report(receiver: type[Fetching] | None, **options: Any) -> ConformanceReport:
    store = options.pop("store", None) or EcwidStore(seed=3)
    app = receiver(store) if receiver is not None else _base.Receiver()
    options.setdefault("settle", 0)
    checks = options.pop("checks", REST_CHECK_IDS)
    with ConformanceSuite(
        app=app, client_secret=SECRET, store=store, events="order.*", **options
    ) as suite:
        return suite.run(checks)


def verdicts(report: ConformanceReport) -> dict[str, Verdict]:
    return {r.id: r.verdict for r in report if r.verdict is not PASS}


# -- the good receiver ---------------------------------------------------------------------------


def test_a_fetching_receiver_passes_every_check_with_the_store_as_evidence() -> None:
    store = EcwidStore(seed=3)
    app = Searching(store)
    with ConformanceSuite(
        app=app, client_secret=SECRET, store=store, settle=0, observe=app.observe
    ) as suite:
        assert suite.check_ids == CHECK_IDS + REST_CHECK_IDS
        report = suite.run()
    assert [r.id for r in report] == list(CHECK_IDS + REST_CHECK_IDS)
    assert {r.id for r in report if r.verdict is not PASS} == {"app-secrets"}, report.format_table()
    assert report["rest-fetch"].summary.startswith("fetched the order (GET /orders/")
    assert "404 ORDER_NOT_FOUND; it answered 200 OK" in report["rest-not-found"].summary
    assert "403 INSUFFICIENT_APP_SCOPE; it answered 200 OK" in report["rest-scope"].summary
    assert "waited for Retry-After" in report["rest-retry-after"].summary
    assert "GET /orders?" not in report["rest-paging"].summary  # offset and limit are not filters
    assert "GET /orders: 2 pages up to total" in report["rest-paging"].summary
    assert report["rest-retry-after"].measurements["early_calls"] == 0
    assert report.store_id == store.store_id
    assert store.api.on_request is None  # the suite's tap is gone once it is closed


def test_the_default_events_name_records_the_store_holds() -> None:
    """With a store, the plain checks' events name orders that exist: the receiver's fetches
    succeed, so no plain check is judged on an artefact of the suite."""
    store = EcwidStore(seed=3)
    report = rest_report(CrashesOn404, store=store, checks=["delivered-codes"])
    assert report["delivered-codes"].verdict is PASS, report.format_table()
    gets = store.calls.of("GET")
    assert gets
    assert {c.status for c in gets} == {200}


def test_redelivery_on_429_passes_through_ecwids_retry() -> None:
    report = rest_report(RedeliversOn429, checks=["rest-retry-after"])
    result = report["rest-retry-after"]
    assert result.verdict is PASS, result.explain()
    assert "answered 503 Service Unavailable, and fetched the order on Ecwid's retry" in (
        result.summary
    )
    assert result.measurements["webhook_retries"] >= 1


# -- each defect fails its own check ---------------------------------------------------------


@pytest.mark.parametrize(
    ("receiver", "expected", "words"),
    [
        pytest.param(
            CrashesOn404,
            {"rest-not-found": FAIL},
            "its fetch got 404 ORDER_NOT_FOUND, then it answered 500",
            id="crash-on-404",
        ),
        pytest.param(
            CrashesOn403,
            {"rest-scope": FAIL},
            "its fetch got 403 INSUFFICIENT_APP_SCOPE, then it answered 500",
            id="crash-on-403",
        ),
        pytest.param(
            RefusesOn403,
            {"rest-scope": WARN},
            "then it answered 503 Service Unavailable",
            id="refuses-on-403",
        ),
        pytest.param(
            LoopsOn429,
            {"rest-retry-after": FAIL},
            "after a 429 that said Retry-After: 2 (a tight loop)",
            id="tight-loop-on-429",
        ),
        pytest.param(
            RetriesOnceAt429,
            {"rest-retry-after": WARN},
            "ms after a 429 that said Retry-After: 2 (1 early call)",
            id="early-retry-on-429",
        ),
        pytest.param(
            DropsOn429,
            {"rest-retry-after": WARN},
            "got 429, answered 200 OK and never fetched order",
            id="drops-on-429",
        ),
        pytest.param(
            FirstPageOnly,
            {"rest-paging": FAIL},
            "GET /orders read 100 of 1",
            id="first-page-only",
        ),
        pytest.param(
            QueryToken,
            {"rest-fetch": FAIL, **dict.fromkeys(REST_CHECK_IDS[1:], SKIP)},
            "passes the token as ?token=, which Ecwid refuses since 20 March 2025",
            id="query-token",
        ),
    ],
)
def test_each_defect_fails_the_check_that_owns_it(
    receiver: type[Fetching], expected: dict[str, Verdict], words: str
) -> None:
    report = rest_report(receiver)
    got = verdicts(report)
    if receiver is not FirstPageOnly and receiver is not QueryToken:
        expected = {**expected, "rest-paging": SKIP}  # they fetch one order, never search
    assert got == expected, report.format_table()
    failing = next(r for r in report if r.id in expected and expected[r.id] is not SKIP)
    assert words in failing.summary, failing.explain()


def test_a_loop_is_told_apart_from_one_early_retry_by_the_calls_the_store_saw() -> None:
    result = rest_report(LoopsOn429, checks=["rest-retry-after"])["rest-retry-after"]
    assert result.measurements["calls_answered_429"] == 50
    assert result.measurements["early_calls"] == 49
    assert any("(first 429)" in e.sent for e in result.evidence if e.kind == "rest")


def test_a_crash_on_404_shows_the_store_call_and_the_traceback() -> None:
    class Raises(CrashesOn404):
        catch_errors = False

    result = rest_report(Raises, checks=["rest-not-found"])["rest-not-found"]
    assert result.verdict is FAIL
    text = result.explain()
    assert "REST call GET /orders/" in text
    assert "404 Not Found ORDER_NOT_FOUND" in text
    assert "HTTPStatusError" in text
    assert "Treat a 404 as 'gone'" in text


# -- not observed is not a pass ----------------------------------------------------------------


def test_a_receiver_that_never_calls_is_not_observed() -> None:
    report = rest_report(None)
    assert verdicts(report) == dict.fromkeys(REST_CHECK_IDS, SKIP), report.format_table()
    fetch = report["rest-fetch"]
    assert fetch.summary.startswith("not observed: it made no REST call for order ")
    assert "store.base_url" in fetch.explain()
    for check_id in REST_CHECK_IDS[1:]:
        assert report[check_id].blocked_by == "rest-fetch"


def test_a_receiver_that_fetches_but_never_searches_is_not_observed_for_paging() -> None:
    result = rest_report(Fetching, checks=["rest-paging"])["rest-paging"]
    assert result.verdict is SKIP
    assert result.summary.startswith("not observed: the receiver made no search call")


def test_a_receiver_that_refuses_every_event_is_blocked_by_the_plain_check() -> None:
    class WrongSecret(Fetching):
        def authenticate(self, body: bytes, payload: dict[str, Any], signature: Any) -> None:
            raise _base.Refused(401)

    result = rest_report(WrongSecret, checks=["rest-fetch"])["rest-fetch"]
    assert result.verdict is SKIP
    assert result.blocked_by == "delivered-codes"


# -- shape of the option -------------------------------------------------------------------------


def test_without_a_store_the_rest_checks_are_not_run_and_say_how_to_opt_in() -> None:
    with ConformanceSuite(app=_base.Receiver(), client_secret=SECRET, settle=0) as suite:
        assert suite.check_ids == CHECK_IDS
        result = suite.run_check("rest-fetch")
    assert result.verdict is SKIP
    assert "store=EcwidStore()" in result.explain()
    assert set(REST_CHECKS) == set(REST_CHECK_IDS)
    assert all(title and "\n" not in title for title in REST_CHECKS.values())


@pytest.mark.parametrize(
    ("options", "words"),
    [
        pytest.param(
            {"store": "https://app.ecwid.com"}, "an ecwid_mock.EcwidStore", id="not-a-store"
        ),
        pytest.param({"store_id": 1}, "the store's own id", id="other-store-id"),
    ],
)
def test_bad_store_options_are_one_clear_line(options: dict[str, Any], words: str) -> None:
    options.setdefault("store", EcwidStore(seed=3))
    with pytest.raises(InvalidOption, match=words):
        ConformanceSuite(app=_base.Receiver(), client_secret=SECRET, **options)


def test_the_store_window_answers_429_for_its_seconds_then_lets_calls_through() -> None:
    store = EcwidStore(seed=3)
    client = httpx.Client(
        transport=store.transport(),
        base_url=store.base_url,
        headers={"Authorization": f"Bearer {store.token}"},
    )
    store.fail_next(429, seconds=2)
    answers = []
    for step in (0, 1.5, 0.5):
        store.clock.advance(step)  # type: ignore[attr-defined]
        answer = client.get("/profile")
        answers.append((answer.status_code, answer.headers.get("retry-after")))
    assert answers == [(429, "2"), (429, "1"), (200, None)]
    with pytest.raises(InvalidOption, match="seconds"):
        store.fail_next(429, seconds=0)


# -- pytest: the REST items come with an ecwid_conformance_store fixture -------------------------

REST_CONFTEST = """
import pytest
from ecwid_mock import EcwidStore
from tests.test_conformance_rest import {receiver}

@pytest.fixture(scope="session")
def ecwid_conformance_store():
    return EcwidStore(seed=3)

@pytest.fixture(scope="session")
def ecwid_app(ecwid_conformance_store):
    return {receiver}(ecwid_conformance_store)
"""


def rest_sandbox(pytester: pytest.Pytester, receiver: str, *, store: bool = True) -> None:
    from tests.test_conformance import SANDBOX_INI, WIRING, _plugin_is_wired

    conftest = REST_CONFTEST.replace("{receiver}", receiver)
    if not store:
        conftest = conftest.replace("def ecwid_app(ecwid_conformance_store)", "def ecwid_app()")
        conftest = conftest.replace("def ecwid_conformance_store", "def other_store")
        conftest = conftest.replace(
            f"{receiver}(ecwid_conformance_store)", f"{receiver}(EcwidStore())"
        )
    pytester.makeconftest(("" if _plugin_is_wired() else WIRING) + conftest)
    pytester.makeini(SANDBOX_INI + "ecwid_conformance_events = order.*\n")


def test_pytest_adds_the_rest_items_when_the_store_fixture_is_defined(
    pytester: pytest.Pytester,
) -> None:
    rest_sandbox(pytester, "CrashesOn404")
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-k", "rest", "-rfs")
    result.assert_outcomes(passed=3, failed=1, skipped=1, deselected=len(CHECK_IDS))
    result.stdout.fnmatch_lines(
        [
            "*its fetch got 404 ORDER_NOT_FOUND, then it answered 500*",
            "FAILED ecwid-conformance::rest-not-found*",
            "SKIPPED*rest-paging: not observed*",
        ]
    )


def test_pytest_has_no_rest_items_without_the_store_fixture(pytester: pytest.Pytester) -> None:
    rest_sandbox(pytester, "Fetching", store=False)
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "--collect-only", "-q")
    assert "ecwid-conformance::delivered-codes" in result.stdout.str()
    assert "rest-" not in result.stdout.str()


@pytest.mark.slow
def test_the_order_fetch_example_passes_the_rest_checks() -> None:
    """examples/order_fetch_app defines ecwid_conformance_store: its receiver, run as a user
    runs it, passes every REST check it can be judged on (it never searches)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("starlette")
    root = Path(__file__).resolve().parent.parent
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ECWID_"))}
    command = [sys.executable, "-m", "pytest", "examples/order_fetch_app", "-q", "-rs"]
    command += ["-p", "no:cacheprovider", "-p", "no:asyncio", "-W", "error"]
    command += ["--ecwid-conformance", "--ecwid-conformance-settle", "0", "-k", "rest"]
    # As in test_examples.py: the plugins only this project's test extras bring stay off (a
    # user has none of them); Hypothesis's would import Hypothesis for its summary.
    for plugin in ("hypothesispytest", "xdist", "cov", "locust", "anyio"):
        command += ["-p", f"no:{plugin}"]
    result = subprocess.run(
        command, cwd=root, env=environ, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 passed, 1 skipped" in output, output
    assert "rest-paging: not observed: the receiver made no search call" in output, output


# -- the command line: --store serves the store and tells the --app where it is -----------------

ENV_APP = """
import os
import ssl

import httpx

from tests.receivers import _base
from tests.test_conformance_rest import Fetching


class FromEnvironment(Fetching):
    def __init__(self):
        _base.Receiver.__init__(self)
        trust = ssl.create_default_context(cafile=os.environ["ECWID_API_CACERT"])
        self.api = httpx.Client(
            base_url=os.environ["ECWID_API_URL"],
            headers={"Authorization": "Bearer " + os.environ["ECWID_API_TOKEN"]},
            verify=trust,
        )
        self.fetched = {}
        self.handlers["order.created"] = self.order_created


app = FromEnvironment()
"""


@pytest.mark.slow
def test_cli_store_serves_the_store_and_runs_the_rest_checks(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecwid_mock._cli import main

    for name in ("ECWID_API_URL", "ECWID_API_TOKEN", "ECWID_API_CACERT", "ECWID_STORE_ID"):
        monkeypatch.setenv(name, "")  # restored after the test
    (tmp_path / "env_app.py").write_text(ENV_APP)
    monkeypatch.chdir(tmp_path)
    try:
        code = main(
            [
                "check", "--app", "env_app:app", "--store", "--client-secret", SECRET,
                "--events", "order.*", "--settle", "0",
                "--checks", "signature-access-token,rest-fetch,rest-not-found,rest-scope",
            ]
        )  # fmt: skip
    finally:  # the receiver's client, and its connection to the store, end with the test
        loaded = sys.modules.pop("env_app", None)
        if loaded is not None:
            loaded.app.api.close()
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert err.startswith("ecwid-mock: mock store at https://127.0.0.1:")
    assert "$ECWID_API_URL, $ECWID_API_TOKEN, $ECWID_API_CACERT, $ECWID_STORE_ID" in err
    assert "a made-up token" not in out  # the store's own token was tried
    for check_id in ("rest-fetch", "rest-not-found", "rest-scope"):
        assert any(line.startswith(check_id) and " PASS " in line for line in out.splitlines())
    assert "secret_" not in out + err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["https://example.com/hook", "--store"], "--store needs --app", id="url"),
        pytest.param(
            ["--app", "x:y", "--checks", "rest-fetch"],
            "unknown check 'rest-fetch' (the rest-* checks need --store)",
            id="rest-without-store",
        ),
    ],
)
def test_cli_store_mistakes_are_one_line(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecwid_mock._cli import main

    assert main(["check", *argv, "--client-secret", SECRET]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1
