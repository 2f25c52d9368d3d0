"""The pytest plugin, tested the way users meet it: through pytester runs."""

from __future__ import annotations

import pytest

from ecwid_mock._settings import Settings
from pytest_ecwid.plugin import DEFAULT_HEADER

pytest_plugins = ["pytester"]

RECEIVER = '''
import json
from ecwid_mock import verify_signature

SECRET = "s3cr3t-client"
SEEN = []


async def app(scope, receive, send):
    """A small correct receiver: verify, deduplicate by eventId, answer 200 at once."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = dict(scope["headers"])
    signature = headers.get(b"x-ecwid-webhook-signature", b"").decode()
    status = 200 if verify_signature(body, signature, SECRET) else 401
    if status == 200:
        event_id = json.loads(body)["eventId"]
        if event_id not in SEEN:
            SEEN.append(event_id)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok" if status == 200 else b"forged"})
'''

BUGGY_RECEIVER = RECEIVER.replace(
    "status = 200 if verify_signature(body, signature, SECRET) else 401", "status = 200"
)

CONFTEST = """
import pytest
import receiver

@pytest.fixture(scope="session")
def ecwid_app():
    return receiver.app
"""

INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
ecwid_client_secret = s3cr3t-client
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(receiver=RECEIVER)
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


QUICKSTART = """
def test_order_created_is_accepted(ecwid):
    delivery = ecwid.send("order.created")
    delivery.assert_delivered()

def test_forged_signature_is_rejected(ecwid):
    ecwid.send("order.created", signature="wrong-secret").assert_rejected()

def test_duplicates_are_answered(ecwid):
    event = ecwid.build("order.updated")
    for delivery in ecwid.duplicate(event, times=2):
        delivery.assert_status(200)
    assert ecwid.deliveries.count == 2
    assert ecwid.deliveries.last.event.event_id == event.event_id
"""


def test_quickstart_passes(project: pytest.Pytester) -> None:
    project.makepyfile(test_inner_quickstart=QUICKSTART)
    result = project.runpytest()
    result.assert_outcomes(passed=3)


def test_a_planted_bug_fails_with_a_message_that_names_it(project: pytest.Pytester) -> None:
    project.makepyfile(receiver=BUGGY_RECEIVER)
    project.makepyfile(test_inner_quickstart=QUICKSTART)
    result = project.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_forged_signature_is_rejected*",
            "*expected*rejected*",
            "*order.created*",
            "*200*",
            "*ecwid-mock*",
            "seed * (from base seed 0 and the test id)",
            "reproduce: pytest test_inner_quickstart.py::test_forged_signature_is_rejected"
            " --ecwid-seed=0",
        ]
    )
    assert "s3cr3t-client" not in result.stdout.str()


def test_the_junit_xml_carries_the_ecwid_mock_section(project: pytest.Pytester) -> None:
    project.makepyfile(receiver=BUGGY_RECEIVER)
    project.makepyfile(test_inner_quickstart=QUICKSTART)
    xml = project.path / "report.xml"
    project.runpytest(f"--junitxml={xml}").assert_outcomes(passed=2, failed=1)
    text = xml.read_text(encoding="utf-8")
    assert '<property name="ecwid-mock"' in text
    assert "seed " in text
    assert "reproduce: pytest test_inner_quickstart.py::" in text
    assert "deliveries:" in text
    assert "s3cr3t-client" not in text


def test_a_marker_seed_is_reported_as_such(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_marked="""
        import pytest

        @pytest.mark.ecwid(seed=77)
        def test_marked(ecwid):
            ecwid.send("order.created", signature="missing").assert_delivered()
        """
    )
    result = project.runpytest("--ecwid-seed=5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "seed 77 (set by @pytest.mark.ecwid)",
            "reproduce: pytest test_inner_marked.py::test_marked",
        ]
    )


def test_plain_assert_on_delivered_explains_itself(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_plain="""
        def test_plain(ecwid):
            delivery = ecwid.send("order.created", signature="missing")
            assert delivery.delivered
        """
    )
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Delivery order.created*401*"])


def test_report_header_shows_seed_and_target(project: pytest.Pytester) -> None:
    project.makepyfile(test_inner_x="def test_x(): pass")
    result = project.runpytest("--ecwid-seed=42")
    result.stdout.fnmatch_lines(
        ["ecwid-mock: seed 42, target: in-process app, path /webhooks/ecwid"]
    )


def test_plugin_can_be_disabled(project: pytest.Pytester) -> None:
    project.makepyfile(test_inner_x="def test_x(ecwid): pass")
    result = project.runpytest("-p", "no:ecwid")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'ecwid' not found*"])


def test_an_unused_plugin_imports_nothing_of_ecwid_mock(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up cost for every project where it is installed: settings resolve on first use."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_plain():
            assert sorted(m for m in sys.modules if m.startswith("ecwid_mock")) == []

        def test_failing_report_is_masked_without_importing():
            assert False
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "pytest_ecwid.plugin")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.no_fnmatch_line("*ecwid_mock*")
    result = pytester.runpytest_subprocess("-p", "pytest_ecwid.plugin", "test_plain.py::test_plain")
    result.assert_outcomes(passed=1)  # the header, too, imports nothing
    result.stdout.fnmatch_lines([f"ecwid-mock: {DEFAULT_HEADER}"])


def test_the_default_header_is_what_the_default_settings_say() -> None:
    assert Settings().describe() == DEFAULT_HEADER


def test_marker_is_registered(project: pytest.Pytester) -> None:
    result = project.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.ecwid(*url=None, transport=None*"])


SHOW_SETTINGS = """
def test_settings(ecwid_settings, ecwid_client_secret):
    print("SETTINGS", ecwid_settings.seed, ecwid_settings.transport, dict(ecwid_settings.origins))
"""


def test_precedence_marker_cli_environment_ini(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeini(INI + "ecwid_seed = 1\necwid_transport = inprocess\n")
    project.makepyfile(test_inner_s=SHOW_SETTINGS)
    result = project.runpytest("-s")
    result.stdout.fnmatch_lines(["*SETTINGS 1 inprocess*'seed': 'ecwid_seed in tox.ini'*"])
    result = project.runpytest("-s", "--ecwid-seed=2")
    result.stdout.fnmatch_lines(["*SETTINGS 2 inprocess*'seed': '--ecwid-seed'*"])
    monkeypatch.setenv("ECWID_CLIENT_SECRET", "from-env")
    result = project.runpytest("-s")
    result.stdout.fnmatch_lines(["*'client_secret': 'environment variable ECWID_CLIENT_SECRET'*"])
    project.makepyfile(
        test_inner_s="import pytest\n\n@pytest.mark.ecwid(seed=3)\n" + SHOW_SETTINGS.lstrip()
    )
    result = project.runpytest("-s", "--ecwid-seed=2")
    result.stdout.fnmatch_lines(["*SETTINGS 3 inprocess*'seed': '@pytest.mark.ecwid'*"])
    assert "from-env" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini_line", "message"),
    [
        (
            "ecwid_transport = htps",
            "*invalid ecwid_transport 'htps' (from ecwid_transport in tox.ini): "
            "must be one of inprocess, https, live*",
        ),
        (
            "ecwid_seed = abc",
            "*invalid ecwid_seed 'abc' (from ecwid_seed in tox.ini): must be an integer*",
        ),
        (
            "ecwid_url = webhooks",
            "*invalid ecwid_url 'webhooks' (from ecwid_url in tox.ini)*",
        ),
        (
            "ecwid_url = https://user:hunter2@example.test/hook",
            "*invalid ecwid_url 'https://user:***@example.test/hook' (from ecwid_url in tox.ini)*",
        ),
        (
            "ecwid_url = ftp://example.test/hook",
            "*(from ecwid_url in tox.ini): must be a URL Ecwid would call*https*",
        ),
    ],
    ids=["transport", "seed", "url", "url-password", "url-scheme"],
)
def test_bad_setting_names_its_source(
    project: pytest.Pytester, ini_line: str, message: str
) -> None:
    project.makeini(INI + ini_line + "\n")
    project.makepyfile(test_inner_x="def test_x(): pass")
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_bad_marker_value_names_the_marker(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_m="""
        import pytest

        @pytest.mark.ecwid(transport="carrier-pigeon")
        def test_m(ecwid):
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*invalid ecwid_transport 'carrier-pigeon' (from @pytest.mark.ecwid)*"]
    )


def test_missing_app_says_what_to_do(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_inner_x="def test_x(ecwid): ecwid.send('order.created')")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no receiver app is configured. Override the `ecwid_app`*"])


def test_app_from_ini_dotted_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(receiver=RECEIVER)
    pytester.makeini(INI + "ecwid_app = receiver:app\n")
    pytester.makepyfile(
        test_inner_x="def test_x(ecwid): ecwid.send('order.created').assert_delivered()"
    )
    pytester.syspathinsert()
    pytester.runpytest().assert_outcomes(passed=1)


def test_seeds_are_per_test_and_repeatable(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_seed="""
        def test_a(ecwid_seed, ecwid_factory):
            print("SEED-A", ecwid_seed, ecwid_factory.build("order.created").body)

        def test_b(ecwid_seed):
            print("SEED-B", ecwid_seed)
        """
    )

    def seeds(*args: str) -> list[str]:
        lines = project.runpytest("-s", *args).outlines
        return [line[line.index("SEED-") :] for line in lines if "SEED-" in line]

    pinned = "--ecwid-clock-start=2024-09-04T00:00:00Z"  # the default follows the wall clock
    first, second = seeds(pinned), seeds(pinned)
    assert first == second
    assert len(first) == 2
    assert first[0].split()[1] != first[1].split()[1]
    assert seeds(pinned, "--ecwid-seed=9") != first


def test_retries_on_the_virtual_clock(project: pytest.Pytester) -> None:
    project.makepyfile(receiver=RECEIVER.replace("status = 200 if", "status = 503 if"))
    project.makepyfile(
        test_inner_retry="""
        def test_retry(ecwid):
            delivery = ecwid.send("product.updated")
            assert delivery.outcome == "retrying"
            ecwid.advance(hours=1)
            assert len(delivery.attempts) == 5  # 0, 15, 30, 45 and 60 minutes
            ecwid.run_until_idle()
            assert delivery.outcome == "dropped"
            assert len(delivery.attempts) == 28
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_https_transport(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_https="""
        import pytest

        @pytest.mark.ecwid(transport="https")
        def test_over_https(ecwid, ecwid_https_server):
            delivery = ecwid.send("customer.created")
            delivery.assert_delivered()
            assert delivery.url.startswith(ecwid_https_server.url + "/webhooks/ecwid?eventtype=")
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_async_tests_with_pytest_asyncio(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_async="""
        import pytest

        @pytest.mark.asyncio
        async def test_async(ecwid):
            delivery = await ecwid.asend("order.created")
            delivery.assert_delivered()
            forged = await ecwid.asend("order.created", signature="hex")
            forged.assert_rejected()
            await ecwid.aclose()
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_async_tests_with_anyio(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_anyio="""
        import pytest

        @pytest.mark.anyio
        async def test_anyio(ecwid):
            (await ecwid.asend("order.created")).assert_delivered()
            await ecwid.aclose()

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    project.runpytest().assert_outcomes(passed=1)


def test_hypothesis_with_the_fixtures(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_given="""
        from hypothesis import HealthCheck, given, settings
        from ecwid_mock import strategies

        @settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(payload=strategies.payloads("order.updated"))
        def test_handler_output_is_valid(ecwid, payload):
            ecwid.assert_valid(payload, event_type="order.updated")
        """
    )
    project.runpytest().assert_outcomes(passed=1)


@pytest.mark.slow  # two xdist workers start
def test_pytest_xdist(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_inner_many="""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        @pytest.mark.ecwid(transport="https")
        def test_many(ecwid, n):
            ecwid.send("order.created").assert_delivered()
        """
    )
    project.runpytest("-n", "2").assert_outcomes(passed=4)


REPLAY_WINDOW = RECEIVER.replace(
    "    if status == 200:\n",
    "    age = __import__('time').time() - json.loads(body)['eventCreated']\n"
    "    if status == 200 and age > 90000:\n"
    "        status = 400  # older than 25 hours: a replay\n"
    "    if status == 200:\n",
)

REPLAY_TESTS = """
def test_fresh_events_pass_a_replay_window(ecwid):
    ecwid.send("order.created").assert_delivered()
    ecwid.send("product.updated").assert_delivered()
"""


def test_the_default_clock_passes_a_replay_window(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(receiver=REPLAY_WINDOW, test_replay=REPLAY_TESTS)
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.runpytest("-p", "ecwid").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    "how",
    [
        ("ini", "ecwid_clock_start = 2024-09-04T00:00:00Z"),
        ("cli", "--ecwid-clock-start=1725408000"),
        ("marker", "clock_start='2024-09-04T00:00:00Z'"),
    ],
)
def test_a_pinned_clock_start_is_honoured(pytester: pytest.Pytester, how: tuple[str, str]) -> None:
    kind, text = how
    tests = """
import pytest

@pytest.mark.ecwid({marker})
def test_pinned(ecwid, ecwid_clock):
    assert ecwid_clock.now() == 1725408000
    assert ecwid.build("order.created").event_created == 1725408000
    ecwid.send("order.created").assert_rejected()  # the receiver's replay window
""".replace("{marker}", text if kind == "marker" else "")
    pytester.makepyfile(receiver=REPLAY_WINDOW, test_pinned=tests)
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI + (text + "\n" if kind == "ini" else ""))
    args = ["-p", "ecwid", *([text] if kind == "cli" else [])]
    pytester.runpytest(*args).assert_outcomes(passed=1)


def test_a_bad_clock_start_names_its_source(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    pytester.makeini(INI + "ecwid_clock_start = last tuesday\n")
    result = pytester.runpytest("-p", "ecwid")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'last tuesday' (from ecwid_clock_start in tox.ini)*"])


RAISING_RECEIVER = RECEIVER.replace(
    "    if status == 200:\n",
    "    if status == 200 and json.loads(body)['eventType'] == 'order.created':\n"
    "        raise KeyError('paymentStatus')  # the handler's bug\n"
    "    if status == 200:\n",
)


def test_a_raising_handler_shows_its_traceback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        receiver=RAISING_RECEIVER,
        test_raises="def test_x(ecwid):\n    ecwid.send('order.created').assert_delivered()\n",
    )
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    result = pytester.runpytest("-p", "ecwid")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the receiver raised on order.created * (attempt 1):*",
            "*Traceback (most recent call last):*",
            "*raise KeyError('paymentStatus')*",
            "*KeyError: 'paymentStatus'*",
        ]
    )
    result.stdout.fnmatch_lines(["*test_raises.py:2*"])  # the user's line, not the helper's
    assert "record.py" not in result.stdout.str()
