"""A canary: failing deliveries of every kind, run with pytest's most revealing options.

Distinctive secrets (a client secret, a ``secret_...`` token in a custom header, a ``?token=``
in the webhook URL) go through deliveries that fail in every way ecwid-mock reports (refused
connection, error status, redirect, timeout, bad custom headers, the plugin's own fixture),
under ``pytest -l --full-trace --junitxml``; every byte of the output and the XML is searched.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # pytest -l --full-trace prints every frame's locals

CLIENT_SECRET = "canary-client-secret-7Hq2"
HEADER_TOKEN = "secret_CANARYheaderToken9x"
URL_TOKEN = "canaryUrlToken4kQz"
CANARIES = (CLIENT_SECRET, HEADER_TOKEN, URL_TOKEN)

INNER = f"""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import ecwid_mock

CLIENT_SECRET = {CLIENT_SECRET!r}
HEADERS = {{"Authorization": "Bearer " + {HEADER_TOKEN!r}, "X-Plain": "kept"}}
QUERY = "?token=" + {URL_TOKEN!r}
AS_LISTS = [["Authorization", "Bearer " + {HEADER_TOKEN!r}]]
WITH_NEWLINE = {{"X-Note": {HEADER_TOKEN!r} + "\\r\\nX: 1"}}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/redirect"):
            self.send_response(301)
            self.send_header("Location", "https://example.invalid/next" + QUERY)
        elif self.path.startswith("/slow"):
            threading.Event().wait(2)
            return
        else:
            self.send_response(500)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"nope!")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{{httpd.server_address[1]}}"
    httpd.shutdown()
    httpd.server_close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sender(url, **options):
    return ecwid_mock.Sender(
        url,
        custom_headers=HEADERS,
        insecure_http_not_ecwid=True,
        retry_policy=ecwid_mock.RetryPolicy.none(),
        **options,
    )


def event():
    return ecwid_mock.EventFactory(seed=1, client_secret=CLIENT_SECRET).build("order.created")


@pytest.mark.parametrize("path", ["/status", "/redirect", "/slow"])
def test_failing_status_redirect_timeout(server, path):
    timeouts = ecwid_mock.Timeouts(connect=1, response=0.2)
    with sender(server + path + QUERY, timeouts=timeouts) as s:
        s.send(event()).assert_delivered()


def test_refused_connection():
    with sender(f"http://127.0.0.1:{{closed_port()}}/hook" + QUERY) as s:
        s.send(event()).assert_delivered()


def test_rejected_then_asserted_otherwise(server):
    with sender(server + "/status" + QUERY) as s:
        s.send(event()).assert_rejected(status=401)


def test_custom_headers_as_lists():
    ecwid_mock.Sender("https://example.com/h" + QUERY, custom_headers=AS_LISTS)


def test_custom_header_with_a_newline():
    ecwid_mock.Sender("https://example.com/h", custom_headers=WITH_NEWLINE)


def test_a_bad_url_with_a_token():
    ecwid_mock.check_webhook_url("ftp://example.com/h" + QUERY)
"""

#: What pytest_ecwid/plugin.py needs (the lead's file): with ``-l`` and ``--full-trace``
#: pytest prints the locals of every frame, the library's and pytest's own (every fixture
#: value), so text is masked where pytest makes its report. Runs here as a conftest.
MASKING_HOOK = """
import pytest

from ecwid_mock._secrets import mask


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.longrepr is not None:
        report.longrepr = mask(str(report.longrepr))
    report.sections = [(title, mask(text)) for title, text in report.sections]
    return report
"""

INI = f"""
[pytest]
asyncio_default_fixture_loop_scope = function
ecwid_client_secret = {CLIENT_SECRET}
ecwid_url = https://127.0.0.1:1025/hook?token={URL_TOKEN}
"""


def _run(
    pytester: pytest.Pytester, source: str, *, hook: bool = True
) -> tuple[pytest.RunResult, str]:
    pytester.makeini(INI)
    if hook:
        pytester.makeconftest(MASKING_HOOK)
    pytester.makepyfile(test_inner=source)
    xml = pytester.path / "report.xml"
    result = pytester.runpytest("-l", "--full-trace", f"--junitxml={xml}", "-rA", "-vv")
    seen = result.stdout.str() + result.stderr.str() + xml.read_text(encoding="utf-8")
    return result, seen


def test_no_canary_reaches_any_output(pytester: pytest.Pytester) -> None:
    result, seen = _run(pytester, INNER)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 8, result.stdout.str()[-3000:]
    assert "ECWID-MOCK: expected" in seen  # the failures were explained...
    assert "********" in seen  # ...with the secrets masked
    for canary in CANARIES:
        assert canary not in seen, f"{canary} leaked near: {_near(seen, canary)}"


PLUGIN = """
def test_the_plugin_delivery_fails(ecwid):
    ecwid.send("order.created").assert_delivered()


def test_the_plugin_fixture_compared(ecwid_client_secret):
    assert ecwid_client_secret == "other"
"""


def test_no_canary_reaches_the_plugin_output(pytester: pytest.Pytester) -> None:
    result, seen = _run(pytester, PLUGIN)
    result.assert_outcomes(failed=2)
    assert "ECWID-MOCK: expected" in seen
    for canary in CANARIES:
        assert canary not in seen, f"{canary} leaked near: {_near(seen, canary)}"


@pytest.mark.parametrize("source", [INNER, PLUGIN], ids=["library", "plugin"])
def test_the_plugin_masks_reports_without_a_hook_of_the_users(
    pytester: pytest.Pytester, source: str
) -> None:
    _, seen = _run(pytester, source, hook=False)
    for canary in CANARIES:
        assert canary not in seen, f"{canary} leaked near: {_near(seen, canary)}"


def test_masked_str_is_the_secret_but_shows_the_mask() -> None:
    from ecwid_mock._secrets import MaskedStr

    value = MaskedStr(CLIENT_SECRET)
    assert value == CLIENT_SECRET
    assert value.encode() == CLIENT_SECRET.encode()
    assert repr(value) == "'********'"
    assert CLIENT_SECRET not in repr([value, {"k": value}])


def _near(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 300) : at + 100]
