"""The receiver conformance suite: a correct receiver passes, each planted defect is flagged
by exactly the right check, and the report reads well for people and machines.

The receivers live in tests/receivers/: one correct one, and subclasses that each override
one method to plant one defect.
"""

from __future__ import annotations

import importlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ecwid_mock import InvalidOption, LocalHTTPSServer, UnknownEventType
from ecwid_mock._cli import main
from ecwid_mock._servers.reference import reference_receiver
from ecwid_mock.conformance import (
    CHECK_IDS,
    CHECKS,
    ConformanceReport,
    ConformanceSuite,
    Verdict,
    run_conformance,
    select_event_types,
)
from tests.receivers import _base

PASS, FAIL, WARN, SKIP = Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.SKIP
SECRET = _base.CLIENT_SECRET
SLOW_AFTER = 0.005  # the slow receiver answers after 0.01 s: above this, by construction


def blocked_by(owner: str) -> dict[str, Verdict]:
    """A receiver that accepts no valid event: its owner fails, every other check skips."""
    skipped = dict.fromkeys((c for c in CHECK_IDS if c != "app-secrets"), SKIP)  # one app
    return {**skipped, owner: FAIL}


ALL_SIGNATURE_CHECKS = {
    f"signature-{mode}": FAIL
    for mode in ("missing", "invalid", "wrong-secret", "access-token", "hex", "body")
}

# receiver module -> every verdict that is not PASS (a defect flagged by an extra check, or
# a check skipped that should not be, fails the test).
MATRIX: dict[str, dict[str, Verdict]] = {
    "correct": {},
    "no_signature_check": ALL_SIGNATURE_CHECKS,
    "accepts_missing_signature": {"signature-missing": FAIL},
    "hex_digest": blocked_by("signature-hex"),
    "body_hmac": blocked_by("signature-body"),
    "access_token_key": blocked_by("signature-access-token"),
    "slow": {"response-time": WARN},
    "redirects": blocked_by("no-redirects"),
    "answers_203": blocked_by("no-203-208"),
    "refuses_everything": blocked_by("delivered-codes"),
    "answers_first": {"malformed-body": WARN},
    "answers_first_processes_forgeries": {**ALL_SIGNATURE_CHECKS, "malformed-body": WARN},
    "not_idempotent": {"idempotency": FAIL, "replay-tampered": SKIP},
    "order_update_needs_order": {"out-of-order": FAIL},
    "strict_fields": {"unknown-fields": FAIL},
    "unknown_type_crash": {"unknown-event-type": FAIL},
    "malformed_crash": {"malformed-body": FAIL},
    "order_only": {"delivered-codes": FAIL},
}


def fresh_receiver(name: str) -> Any:
    """A new instance of the receiver in tests/receivers/<name>.py (no state from other tests)."""
    module = importlib.import_module(f"tests.receivers.{name}")
    return type(module.app)()


def check(app: Any, *, observe: bool = True, **options: Any) -> ConformanceReport:
    options.setdefault("client_secret", SECRET)
    options.setdefault("access_token", _base.ACCESS_TOKEN)
    options.setdefault("settle", 0)  # the test receivers count effects before answering
    return run_conformance(app=app, observe=app.observe if observe else None, **options)


def not_passed(report: ConformanceReport) -> dict[str, Verdict]:
    """Every verdict that is not a pass, but the app-secrets skip of a one-app run (tested
    on its own: test_app_secrets_needs_several_apps)."""
    return {r.id: r.verdict for r in report if r.verdict is not PASS and not one_app_skip(r)}


def one_app_skip(result: Any) -> bool:
    return result.id == "app-secrets" and result.summary.startswith("not judged: one app")


# -- the matrix ------------------------------------------------------------------------------


def test_correct_receiver_passes_every_check() -> None:
    report = check(fresh_receiver("correct"))
    assert [r.id for r in report] == list(CHECK_IDS)
    assert not_passed(report) == {}, report.format_table()
    assert report.ok
    assert report.exit_code == 0
    assert len(report.event_types) == 42


@pytest.mark.parametrize("name", [n for n in MATRIX if n != "correct"])
def test_each_defect_is_flagged_by_exactly_the_right_check(name: str) -> None:
    slow_after = SLOW_AFTER if name == "slow" else 3.0
    report = check(fresh_receiver(name), slow_after=slow_after)
    assert not_passed(report) == MATRIX[name], report.format_table()
    for result in report:
        if result.verdict is SKIP and result.blocked_by is not None:
            assert result.blocked_by in CHECK_IDS
            assert result.blocked_by in result.summary


@pytest.mark.parametrize(
    ("name", "check_id", "words"),
    [
        ("body_hmac", "signature-body", "verifies the wrong string"),
        ("hex_digest", "signature-hex", "hex digest instead of Base64"),
        ("access_token_key", "signature-access-token", "access token as the HMAC key"),
        ("no_signature_check", "signature-invalid", "accepted a random signature"),
        ("accepts_missing_signature", "signature-missing", "without an X-Ecwid-Webhook-Sig"),
        ("order_update_needs_order", "out-of-order", "refused on all 28 attempts"),
        ("not_idempotent", "idempotency", "twice in a row: 2 effects; twice at once: 2"),
        ("redirects", "no-redirects", "301 Moved Permanently -> /webhooks/ecwid/"),
        ("answers_203", "no-203-208", "203 Non-Authoritative Information"),
        ("strict_fields", "unknown-fields", "500 Internal Server Error"),
        ("order_only", "delivered-codes", "39 of 42 event types not delivered"),
    ],
)
def test_a_failure_says_what_is_wrong(name: str, check_id: str, words: str) -> None:
    result = check(fresh_receiver(name))[check_id]
    assert result.verdict is FAIL
    assert words in result.summary
    assert result.details, "a failure explains how to fix it"
    assert result.evidence, "a failure shows what was sent and what came back"


def test_a_body_hmac_receiver_is_told_both_halves_of_the_story() -> None:
    result = check(fresh_receiver("body_hmac"))["signature-body"]
    assert "rejects Ecwid's signature" in result.summary
    sent = {e.signature: e.answer for e in result.evidence}
    assert sent == {"body": "200 OK", "valid": "401 Unauthorized"}


@pytest.mark.parametrize("name", ["answers_first", "answers_first_processes_forgeries"])
def test_a_forgery_answered_200_without_a_hook_is_not_called_unverified(name: str) -> None:
    report = check(fresh_receiver(name), observe=False)
    for check_id in ALL_SIGNATURE_CHECKS:
        result = report[check_id]
        assert result.verdict is WARN, report.format_table()
        assert "cannot tell whether it was processed" in result.summary
        assert "does not verify" not in " ".join((result.summary, *result.details))
        assert "Ecwid's own PHP sample" in " ".join(result.details)


def test_an_answer_first_receiver_that_drops_forgeries_passes_with_a_hook() -> None:
    result = check(fresh_receiver("answers_first"))["signature-invalid"]
    assert result.verdict is PASS
    assert "200 OK but did not process it" in result.summary
    assert result.measurements["effects"] == 0


def test_an_answer_first_receiver_that_processes_forgeries_fails_on_its_effects() -> None:
    result = check(fresh_receiver("answers_first_processes_forgeries"))["signature-invalid"]
    assert result.verdict is FAIL
    assert "processed it (200 OK, 1 effects)" in result.summary


def test_a_hook_that_never_moves_proves_nothing() -> None:
    app = fresh_receiver("answers_first")
    report = run_conformance(
        app=app, client_secret=SECRET, observe=lambda: 0, settle=0, checks=["signature-invalid"]
    )
    result = report["signature-invalid"]
    assert result.verdict is WARN
    assert "showed no effect" in " ".join(result.details)


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_no_check_passes_against_a_receiver_that_refuses_everything(check_id: str) -> None:
    from tests.receivers.two_apps import APPS  # two apps, so that app-secrets has its input

    app = fresh_receiver("refuses_everything")
    report = run_conformance(app=app, apps=APPS, observe=app.observe, settle=0, checks=[check_id])
    result = report[check_id]
    assert result.verdict is not PASS, result.explain()
    if result.verdict is SKIP:
        assert result.blocked_by == "delivered-codes"
        assert "401 Unauthorized" in " ".join((result.summary, *result.details))


def test_an_app_that_raises_shows_its_traceback_in_the_evidence() -> None:
    report = check(fresh_receiver("raises"), checks=["unknown-event-type"])
    result = report["unknown-event-type"]
    assert "(the app raised KeyError: 'size_chart.created')" in result.evidence[0].describe()
    for text in (result.explain(), report.format_table()):
        assert "the receiver raised while answering" in text
        assert "Traceback (most recent call last):" in text
        assert "return self.handlers[event_type]" in text
    assert "KeyError" in json.loads(report.to_json())["checks"][0]["evidence"][0]["app_error"]


def test_a_store_id_checking_receiver_is_told_why_and_passes_with_the_store_id() -> None:
    from tests.receivers.store_id_check import STORE_ID

    report = check(fresh_receiver("store_id_check"))
    result = report["delivered-codes"]
    assert result.verdict is FAIL
    assert "all 403 Forbidden, saying 'store ID mismatch'" in result.summary
    table = report.format_table()
    assert "store ID mismatch" in table
    assert f"the events carry storeId {report.store_id}" in table
    assert "--store-id" in table
    assert not_passed(check(fresh_receiver("store_id_check"), store_id=STORE_ID)) == {}


def test_cli_store_id_reaches_the_events(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.receivers.store_id_check import STORE_ID

    argv = ["--app", "tests.receivers.store_id_check:app", "--client-secret", SECRET]
    argv += ["--observe", "tests.receivers.store_id_check:observe", "--settle", "0"]
    argv += ["--access-token", _base.ACCESS_TOKEN]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 1
    assert "store ID mismatch" in out
    code, out, _ = run_cli(capsys, *argv, "--store-id", str(STORE_ID))
    assert code == 0, out
    assert f"store id {STORE_ID}" in out


def two_app_check(name: str, *, observe: bool = True) -> ConformanceReport:
    from tests.receivers.two_apps import APPS

    app = fresh_receiver(name)
    return run_conformance(
        app=app,
        apps=APPS,
        observe=app.observe if observe else None,
        settle=0,
        access_token=_base.ACCESS_TOKEN,
    )


def test_app_secrets_needs_several_apps() -> None:
    result = check(fresh_receiver("correct"), checks=["app-secrets"])["app-secrets"]
    assert result.verdict is SKIP
    assert "apps=" in " ".join(result.details)
    assert "--apps" in " ".join(result.details)


def test_a_receiver_serving_two_apps_passes_every_check() -> None:
    report = two_app_check("two_apps")
    assert {r.id: r.verdict for r in report if r.verdict is not PASS} == {}, report.format_table()
    sent = [e.sent for e in report["app-secrets"].evidence]
    assert sent[1] == (
        "order.created with the headers of app 'shipping', signed with the secret of app 'loyalty'"
    )
    assert [e.status for e in report["app-secrets"].evidence] == [200, 401, 200, 401]


@pytest.mark.parametrize(
    ("name", "observe", "verdict", "words"),
    [
        ("two_apps_any_secret", True, FAIL, "signed with the secret of app 'loyalty' (200 OK, 1"),
        ("two_apps_any_secret", False, WARN, "cannot tell whether it was processed"),
        ("two_apps_one_secret", True, FAIL, "app 'loyalty': 401 Unauthorized"),
    ],
)
def test_app_secrets_flags_a_receiver_that_mixes_up_its_apps(
    name: str, observe: bool, verdict: Verdict, words: str
) -> None:
    report = two_app_check(name, observe=observe)
    result = report["app-secrets"]
    assert result.verdict is verdict, report.format_table()
    assert words in result.summary
    assert "custom header" in " ".join(result.details)
    assert {r.id for r in report if r.verdict is FAIL} <= {"app-secrets"}


def test_apps_and_a_client_secret_are_not_both_given() -> None:
    from tests.receivers.two_apps import APPS

    with pytest.raises(InvalidOption, match="with apps= each app brings its own"):
        ConformanceSuite(app=fresh_receiver("two_apps"), apps=APPS, client_secret=SECRET)


@pytest.mark.parametrize(("deduplicates", "verdict"), [(True, PASS), (False, FAIL)])
def test_effects_that_land_after_the_answer_are_seen_in_the_shared_window(
    deduplicates: bool, verdict: Verdict
) -> None:
    module = importlib.import_module("tests.receivers.processes_later")

    class Later(module.ProcessesLater):  # type: ignore[misc, name-defined]
        def work(self, payload: dict[str, Any]) -> None:
            if not deduplicates:
                self.seen.clear()
            super().work(payload)

    app = Later()
    report = check(app, settle=0.3, checks=["idempotency", "replay-tampered"])
    for worker in app.workers:
        worker.join()
    assert report["idempotency"].verdict is verdict, report.format_table()
    if deduplicates:
        assert report["replay-tampered"].verdict is PASS


def test_out_of_order_recovery_on_retry_passes_and_says_so() -> None:
    class RecoversOnRetry(_base.Receiver):
        """Fails an update of an unknown order, but accepts Ecwid's retry once it exists."""

        def order_updated(self, payload: dict[str, Any]) -> None:
            self.orders[payload["entityId"]].update(payload.get("data") or {})

    result = check(RecoversOnRetry())["out-of-order"]
    assert result.verdict is PASS
    assert "refused at first (500 Internal Server Error), recovered on retry 1" in result.summary
    assert [e.sent for e in result.evidence] == [
        "order.updated before its order.created",
        "then its order.created",
        "order.updated again (Ecwid's retry)",
    ]
    assert result.measurements["recovered_after_s"] == 15 * 60  # the virtual clock's 15 min


def test_slow_receiver_reports_percentiles() -> None:
    result = check(fresh_receiver("slow"), slow_after=SLOW_AFTER)["response-time"]
    figures = result.measurements
    assert figures["count"] == 42
    assert figures["p50_s"] >= 0.01  # every answer waits 0.01 s
    assert figures["p95_s"] >= figures["p50_s"]
    assert "p50" in result.summary
    assert "p95" in result.summary


def test_a_hanging_answer_is_a_timeout_failure() -> None:
    class Hangs(_base.Receiver):
        delay = 5.0

    result = check(Hangs(), timeout=0.05, checks=["response-time", "delivered-codes"])
    assert result.verdicts == {"response-time": FAIL, "delivered-codes": SKIP}
    assert "42 of 42 events got no answer within 0.05 s" in result["response-time"].summary
    assert result["delivered-codes"].blocked_by == "response-time"


def test_without_an_observation_hook_idempotency_says_how_to_enable_it() -> None:
    report = check(fresh_receiver("correct"), observe=False)
    assert not_passed(report) == {"idempotency": SKIP, "replay-tampered": WARN}
    text = " ".join(report["idempotency"].details)
    for way in ("observe=", "--observe", "ecwid_observe"):
        assert way in text
    assert "Ecwid signs only" in " ".join(report["replay-tampered"].details)


def test_a_total_count_is_a_valid_observation() -> None:
    app = fresh_receiver("not_idempotent")
    report = run_conformance(
        app=app,
        client_secret=SECRET,
        observe=lambda: sum(app.effects.values()),
        settle=0,
        checks=["idempotency"],
    )
    assert report["idempotency"].verdict is FAIL


def test_the_reference_receiver_fails_no_check() -> None:
    app = reference_receiver(client_secret=SECRET)

    def processed() -> Counter[str]:
        return Counter(r.event_id for r in app.received if r.accepted and not r.duplicate)

    report = run_conformance(app=app, client_secret=SECRET, observe=processed, settle=0.2)
    assert report.ok, report.format_table()
    assert set(not_passed(report).values()) <= {WARN}


def test_a_wsgi_app_is_checked_too() -> None:
    def accepts_everything(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    report = run_conformance(
        app=accepts_everything, client_secret=SECRET, checks=["delivered-codes", "signature-hex"]
    )
    assert report.verdicts == {"delivered-codes": PASS, "signature-hex": WARN}  # no hook


def test_local_https_target() -> None:
    app = fresh_receiver("correct")
    with LocalHTTPSServer(app) as server:
        report = run_conformance(
            server.url + "/webhooks/ecwid",
            verify=server.client_ssl_context(),
            client_secret=SECRET,
            access_token=_base.ACCESS_TOKEN,
            observe=app.observe,
            settle=0,
        )
    assert not_passed(report) == {}, report.format_table()
    assert report.target.startswith("https://127.0.0.1:")


def test_subscribed_events_limit_what_is_sent() -> None:
    report = check(fresh_receiver("order_only"), events=["order.*"])
    assert report.event_types == ("order.created", "order.deleted", "order.updated")
    assert not_passed(report) == {}


def test_out_of_order_needs_both_order_events() -> None:
    report = check(fresh_receiver("correct"), events="product.*", checks=["out-of-order"])
    assert report["out-of-order"].verdict is SKIP
    assert "order.created and order.updated" in report["out-of-order"].summary


def test_checks_share_what_they_send() -> None:
    app = fresh_receiver("correct")
    with ConformanceSuite(app=app, client_secret=SECRET) as suite:
        suite.run_check("no-redirects")
        sent = len(app.seen)
        suite.run_check("delivered-codes")
        suite.run_check("response-time")
        assert len(app.seen) == sent == 42
        first = suite.run_check("no-redirects")
        assert suite.run_check("no-redirects") is first


# -- options and bad input -------------------------------------------------------------------


def test_event_selection() -> None:
    assert len(select_event_types(None)) == 42
    assert len(select_event_types("*.*")) == 45  # the undocumented size_chart.* too
    assert select_event_types("order.updated, order.created") == (
        "order.created",
        "order.updated",
    )
    assert select_event_types(["invoice.*", "review.created"]) == (
        "invoice.created",
        "invoice.deleted",
        "review.created",
    )
    with pytest.raises(UnknownEventType, match=r"'order\.updatd'.*did you mean 'order\.updated'"):
        select_event_types("order.updatd")
    with pytest.raises(
        InvalidOption, match=r"'nothing\.\*' \(from --events\).*matches an event type"
    ):
        select_event_types("nothing.*", source="--events")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({}, "neither url nor app", id="no-target"),
        pytest.param(
            {"url": "https://example.com/hook", "app": object()}, "both url and app", id="both"
        ),
        pytest.param({"app": object(), "timeout": 0}, "invalid timeout 0", id="timeout-zero"),
        pytest.param({"app": object(), "settle": -1}, "invalid settle -1", id="settle-negative"),
        pytest.param(
            {"app": object(), "concurrency": 0}, "invalid concurrency 0", id="concurrency"
        ),
        pytest.param({"app": object(), "seed": -3}, "invalid seed -3", id="seed"),
        pytest.param({"app": object(), "observe": 42}, "invalid observe 42", id="observe"),
    ],
)
def test_bad_options_are_refused_before_anything_is_sent(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidOption, match=message):
        ConformanceSuite(client_secret=SECRET, **options)


def test_a_bad_observation_is_named() -> None:
    app = fresh_receiver("correct")
    with pytest.raises(InvalidOption, match=r"observe\(\) result 'str'.*a mapping of eventId"):
        run_conformance(app=app, client_secret=SECRET, observe=lambda: "x", checks=["idempotency"])


def test_an_unknown_check_id_is_named() -> None:
    with (
        ConformanceSuite(app=fresh_receiver("correct"), client_secret=SECRET) as suite,
        pytest.raises(InvalidOption, match=r"invalid check 'signature'.*signature-missing"),
    ):
        suite.run(["signature"])


# -- reports ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_report() -> ConformanceReport:
    """A report with every verdict: fail, warn, skip and pass."""
    return check(fresh_receiver("not_idempotent"), observe=True, slow_after=1e-9)


def test_every_check_has_an_id_a_description_and_a_result(mixed_report: ConformanceReport) -> None:
    assert set(mixed_report.verdicts.values()) == {PASS, FAIL, WARN, SKIP}
    for check_id, title in CHECKS.items():
        assert check_id == check_id.lower()
        assert " " not in check_id
        assert title
        assert "\n" not in title
        assert mixed_report[check_id].title == title


def test_table_for_people(mixed_report: ConformanceReport) -> None:
    table = mixed_report.format_table()
    assert "\033[" not in table
    lines = table.splitlines()
    assert lines[0].startswith("ecwid-mock conformance: in-process app")
    assert any(line.startswith("idempotency") and " FAIL " in line for line in lines)
    assert "FAIL idempotency: the same event twice" in table
    assert "Deduplicate by eventId" in table
    assert lines[-1].startswith("14 passed, 1 failed, 1 warning, 2 skipped in ")
    assert "\033[31m" in mixed_report.format_table(colour=True)


def test_json_for_machines(mixed_report: ConformanceReport) -> None:
    data = json.loads(mixed_report.to_json())
    assert data["ok"] is False
    assert data["counts"] == {"pass": 14, "fail": 1, "warn": 1, "skip": 2}  # +app-secrets
    checks = {c["id"]: c for c in data["checks"]}
    assert list(checks) == list(CHECK_IDS)
    tampered = checks["replay-tampered"]
    assert tampered["verdict"] == "skip"
    assert tampered["blocked_by"] == "idempotency"
    evidence = checks["delivered-codes"]["evidence"]
    assert len(evidence) == 42
    assert {"sent", "status", "delivered", "duration_s", "signature"} <= set(evidence[0])
    assert checks["response-time"]["measurements"]["p95_s"] > 0


def test_junit_for_ci(mixed_report: ConformanceReport) -> None:
    root = ET.fromstring(mixed_report.to_junit_xml())
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("18", "1", "2")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == list(CHECK_IDS)
    failure = cases["idempotency"].find("failure")
    assert failure is not None
    assert "duplicates" in (failure.get("message") or "")
    assert cases["replay-tampered"].find("skipped") is not None
    warned = cases["response-time"]
    assert warned.find("failure") is None
    assert warned.find("skipped") is None
    assert (warned.findtext("system-out") or "").startswith("WARNING: [warn] response-time")


def test_secrets_never_show(mixed_report: ConformanceReport) -> None:
    app = fresh_receiver("correct")
    with ConformanceSuite(app=app, client_secret=SECRET, access_token=_base.ACCESS_TOKEN) as suite:
        report = suite.run(["signature-access-token", "delivered-codes"])
        texts = [repr(suite), report.format_table(), report.to_json(), report.to_junit_xml()]
    texts += [mixed_report.to_json(), mixed_report.to_junit_xml(), repr(mixed_report)]
    for text in texts:
        assert SECRET not in text
        assert _base.ACCESS_TOKEN not in text


# -- the command line ------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "code"),
    [("correct", 0), ("body_hmac", 1), ("unknown_type_crash", 1), ("slow", 0)],
)
def test_cli_app_matrix(
    name: str, code: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    exit_code, out, err = run_cli(
        capsys,
        "--app", f"tests.receivers.{name}:app",
        "--observe", f"tests.receivers.{name}:observe",
        "--client-secret", SECRET,
        "--access-token", _base.ACCESS_TOKEN,
        "--settle", "0",
        "--slow-after", str(SLOW_AFTER if name == "slow" else 3),
        "--json", str(tmp_path / "report.json"),
        "--junit", str(tmp_path / "report.xml"),
    )  # fmt: skip
    assert (exit_code, err) == (code, "")
    assert f"ecwid-mock conformance: in-process app tests.receivers.{name}:app" in out
    data = json.loads((tmp_path / "report.json").read_text())
    expected = {k: v.value for k, v in MATRIX[name].items()}
    found = {c["id"]: c["verdict"] for c in data["checks"] if c["verdict"] != "pass"}
    assert found == {**expected, "app-secrets": "skip"}  # one app
    ET.parse(tmp_path / "report.xml")
    assert SECRET not in out


def test_cli_json_to_stdout_and_selected_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "--app", "tests.receivers.malformed_crash:app",
        "--checks", "malformed-body,no-redirects",
        "--events", "order.*",
        "--json", "-",
        "--client-secret", SECRET,
    )  # fmt: skip
    assert code == 1
    data = json.loads(out)
    assert [c["id"] for c in data["checks"]] == ["malformed-body", "no-redirects"]
    assert data["event_types"] == ["order.created", "order.deleted", "order.updated"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param([], "give the receiver's URL or --app", id="no-target"),
        pytest.param(
            ["https://example.com/h", "--app", "x:y"], "give the receiver's URL", id="both"
        ),
        pytest.param(["http://example.com/h"], "breaks rule 'scheme'", id="plain-http"),
        pytest.param(["https://example.com:22/h"], "breaks rule 'port'", id="bad-port"),
        pytest.param(
            ["--app", "nowhere.at.all:app"], "importing 'nowhere.at.all' failed", id="bad-app"
        ),
        pytest.param(
            ["--app", "tests.receivers.correct:app", "--events", "order.updatd"],
            "did you mean 'order.updated'",
            id="bad-event",
        ),
        pytest.param(
            ["--app", "tests.receivers.correct:app", "--checks", "speed"],
            "unknown check 'speed'",
            id="bad-check",
        ),
        pytest.param(
            ["--app", "tests.receivers.correct:app", "--timeout", "soon"],
            "--timeout must be a positive number of seconds, but got 'soon'",
            id="bad-timeout",
        ),
        pytest.param(
            ["https://127.0.0.1:8443/h", "--cacert", "/nonexistent/ca.pem"],
            "invalid CA file",
            id="bad-cacert",
        ),
        pytest.param(
            ["--app", "tests.receivers.correct:app", "--observe", "tests.receivers:_base"],
            "is not callable",
            id="observe-not-callable",
        ),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, *argv, "--client-secret", SECRET)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("ecwid-mock check: error: ")
    assert message in err


def test_cli_needs_a_client_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    code, _, err = run_cli(capsys, "--app", "tests.receivers.correct:app")
    assert code == 2
    assert "no client secret" in err


# -- pytest --ecwid-conformance ----------------------------------------------------------------
#
# These run the plugin in a pytester sandbox. Until pytest_ecwid/plugin.py calls
# pytest_ecwid._conformance (add_options from pytest_addoption, add_items from
# pytest_collection_modifyitems), the sandbox's conftest.py does that wiring itself;
# once the plugin does it, the sandbox relies on the plugin alone.


def _plugin_is_wired() -> bool:
    import inspect

    import pytest_ecwid.plugin

    source = inspect.getsource(pytest_ecwid.plugin)
    return "add_options" in source and "add_items" in source


WIRING = """
import pytest
from pytest_ecwid import _conformance

def pytest_addoption(parser):
    _conformance.add_options(parser)

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    if config.getoption("ecwid_conformance"):
        _conformance.add_items(session, config, items)
"""

SANDBOX_CONFTEST = """
import importlib
import pytest

@pytest.fixture(scope="session")
def receiver():
    module = importlib.import_module("tests.receivers.{name}")
    return type(module.app)()

@pytest.fixture(scope="session")
def ecwid_app(receiver):
    return receiver

@pytest.fixture(scope="session")
def ecwid_observe(receiver):
    return receiver.observe
"""

SANDBOX_INI = f"""
[pytest]
asyncio_default_fixture_loop_scope = function
ecwid_client_secret = {SECRET}
ecwid_conformance_settle = 0
filterwarnings = default::ecwid_mock.conformance.ConformanceWarning
"""


def sandbox(pytester: pytest.Pytester, name: str, *, observe: bool = True, ini: str = "") -> None:
    conftest = SANDBOX_CONFTEST.replace("{name}", name)
    if not observe:
        conftest = conftest.split('@pytest.fixture(scope="session")\ndef ecwid_observe')[0]
    pytester.makeconftest(("" if _plugin_is_wired() else WIRING) + conftest)
    pytester.makeini(SANDBOX_INI + ini)
    pytester.makepyfile(test_own="def test_own_test(): pass")


def test_pytest_items_for_the_correct_receiver(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECWID_ACCESS_TOKEN", _base.ACCESS_TOKEN)
    sandbox(pytester, "correct")
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-v")
    result.assert_outcomes(passed=len(CHECK_IDS), skipped=1)  # app-secrets: one app
    result.stdout.fnmatch_lines(
        [
            f"ecwid-conformance::{check_id} {'SKIPPED' if check_id == 'app-secrets' else 'PASSED'}*"
            for check_id in CHECK_IDS
        ]
    )


def test_pytest_items_for_a_defective_receiver(pytester: pytest.Pytester) -> None:
    sandbox(pytester, "order_update_needs_order")
    result = pytester.runpytest(
        "-p", "ecwid", "--ecwid-conformance", "-m", "ecwid_conformance", "-rfs"
    )
    result.assert_outcomes(passed=len(CHECK_IDS) - 2, failed=1, skipped=1, deselected=1)
    result.stdout.fnmatch_lines(
        [
            "FAILED ecwid-conformance::out-of-order*",
        ]
    )
    result.stdout.fnmatch_lines(["*refused on all 28 attempts*", "*--ecwid-seed=*"])
    assert SECRET not in result.stdout.str()


def test_pytest_items_report_warnings_and_skips(pytester: pytest.Pytester) -> None:
    sandbox(pytester, "slow", observe=False, ini=f"ecwid_conformance_slow_after = {SLOW_AFTER}\n")
    result = pytester.runpytest(
        "-p", "ecwid", "--ecwid-conformance", "--ecwid-conformance-events", "order.*", "-rs"
    )
    result.assert_outcomes(passed=len(CHECK_IDS) - 1, skipped=2, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*ConformanceWarning: response-time: p50*slower than 0.005 s*",
            "SKIPPED*idempotency: not judged: no observation hook*",
        ]
    )


def test_pytest_bad_conformance_setting_names_its_source(pytester: pytest.Pytester) -> None:
    sandbox(pytester, "correct")
    result = pytester.runpytest(
        "-p", "ecwid", "--ecwid-conformance", "--ecwid-conformance-timeout=soon",
        "-m", "ecwid_conformance",
    )  # fmt: skip
    result.assert_outcomes(failed=len(CHECK_IDS), deselected=1)
    result.stdout.fnmatch_lines(
        ["*invalid ecwid_conformance_timeout 'soon' (from --ecwid-conformance-timeout)*"]
    )


NESTED_CONFTEST = """
import pytest
from tests.receivers._base import Receiver

@pytest.fixture(scope="session")
def receiver():
    return Receiver()

@pytest.fixture(scope="session")
def ecwid_app(receiver):
    return receiver

@pytest.fixture(scope="session")
def ecwid_observe(receiver):
    return receiver.observe
"""


@pytest.mark.parametrize("where", ["tests", "tests/integration/webhooks"])
def test_pytest_items_see_ecwid_app_in_a_nested_conftest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("ECWID_ACCESS_TOKEN", _base.ACCESS_TOKEN)
    directory = pytester.mkdir(where.split("/")[0])
    for part in where.split("/")[1:]:
        directory = directory / part
        directory.mkdir()
    (directory / "conftest.py").write_text(NESTED_CONFTEST)
    (directory / "test_own.py").write_text("def test_own_test(): pass\n")
    pytester.makeini(SANDBOX_INI)
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-v")
    result.assert_outcomes(passed=len(CHECK_IDS), skipped=1)  # app-secrets: one app
    result.stdout.fnmatch_lines([f"{where}/ecwid-conformance::delivered-codes PASSED*"])


def test_pytest_items_without_an_app_name_the_fixture_and_where(
    pytester: pytest.Pytester,
) -> None:
    pytester.mkdir("tests")
    (pytester.path / "tests" / "conftest.py").write_text("import pytest\n")
    (pytester.path / "tests" / "test_own.py").write_text("def test_own_test(): pass\n")
    pytester.makeini(SANDBOX_INI)
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-k", "delivered")
    result.assert_outcomes(failed=1, deselected=len(CHECK_IDS))
    result.stdout.fnmatch_lines(
        ["*Looked for a fixture named `ecwid_app`*(tests/conftest.py)*ecwid_app ini setting*"]
    )


def test_cli_refuses_an_app_factory_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "--app", "tests.receivers.factory:create_app", "--client-secret", SECRET
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "(from --app tests.receivers.factory:create_app)" in err
    assert "is it a factory?" in err


def test_pytest_items_refuse_an_app_factory_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\nfrom tests.receivers.factory import create_app\n\n"
        "@pytest.fixture(scope='session')\ndef ecwid_app():\n    return create_app\n"
    )
    pytester.makeini(SANDBOX_INI)
    pytester.makepyfile(test_own="def test_own_test(ecwid): pass")
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-k", "codes or own")
    outcomes = result.parseoutcomes()
    assert (outcomes["errors"], outcomes.get("passed", 0)) == (1, 0)
    assert outcomes["failed"] >= 1
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_own_test*",
            "*invalid app * (from the ecwid_app fixture)*is it a factory?*",
            "*ecwid-conformance: delivered-codes*",
            "ecwid-mock conformance: invalid app * (from the ecwid_app fixture)*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


@pytest.mark.parametrize("how", ["ini", "cli"])
def test_pytest_items_use_the_plugins_store_id(pytester: pytest.Pytester, how: str) -> None:
    from tests.receivers.store_id_check import STORE_ID

    ini = f"ecwid_store_id = {STORE_ID}\n" if how == "ini" else ""
    sandbox(pytester, "store_id_check", ini=ini)
    args = ["-p", "ecwid", "--ecwid-conformance", "-m", "ecwid_conformance"]
    args += [f"--ecwid-store-id={STORE_ID}"] if how == "cli" else []
    result = pytester.runpytest(*args)
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes, result.stdout.str()


def test_pytest_items_name_a_foreign_store_in_the_failure(pytester: pytest.Pytester) -> None:
    sandbox(pytester, "store_id_check")
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-k", "delivered")
    result.stdout.fnmatch_lines(["*saying 'store ID mismatch'*", "*the events carry storeId*"])


def write_apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.receivers.two_apps import SECRETS

    apps = []
    for name, secret in SECRETS.items():
        monkeypatch.setenv(f"SECRET_{name.upper()}", secret)
        apps.append(
            {
                "name": name,
                "client_secret_env": f"SECRET_{name.upper()}",
                "custom_headers": {"X-Ecwid-App": name},
            }
        )
    path = tmp_path / "apps.json"
    path.write_text(json.dumps(apps))
    return path


@pytest.mark.parametrize(("name", "code"), [("two_apps", 0), ("two_apps_any_secret", 1)])
def test_cli_apps_file(
    name: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    apps = write_apps(tmp_path, monkeypatch)
    argv = ["--app", f"tests.receivers.{name}:app", "--apps", str(apps), "--settle", "0"]
    argv += ["--observe", f"tests.receivers.{name}:observe", "--access-token", _base.ACCESS_TOKEN]
    found, out, _ = run_cli(capsys, *argv)
    assert found == code, out
    assert "app-secrets" in out
    for secret in ("conformance-test-loyalty-secret", SECRET):
        assert secret not in out


def test_cli_apps_file_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    apps = write_apps(tmp_path, monkeypatch)
    monkeypatch.delenv("SECRET_LOYALTY")
    code, out, err = run_cli(capsys, "--app", "tests.receivers.two_apps:app", "--apps", str(apps))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "invalid client_secret_env 'SECRET_LOYALTY'" in err
    assert "app 2" in err


def test_pytest_items_take_several_apps_from_an_ecwid_apps_fixture(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECWID_ACCESS_TOKEN", _base.ACCESS_TOKEN)
    sandbox(pytester, "two_apps")
    conftest = pytester.path / "conftest.py"
    conftest.write_text(
        conftest.read_text()
        + "\n\n@pytest.fixture(scope='session')\ndef ecwid_apps():\n"
        + "    from tests.receivers.two_apps import APPS\n    return APPS\n"
    )
    result = pytester.runpytest("-p", "ecwid", "--ecwid-conformance", "-v", "-k", "app-secrets")
    result.assert_outcomes(passed=1, deselected=len(CHECK_IDS))
    result.stdout.fnmatch_lines(["*ecwid-conformance::app-secrets PASSED*"])
