"""Hostile input at every face: one line naming the value and the rule, never a traceback.

Three faces, one table each: library calls (the error is an ``EcwidMockError`` whose text is
one line), the command line (exit 2, one line on stderr) and the pytest settings (a usage
error or a test error naming the ini key, the flag, the variable or the marker).
"""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import deep_dict

import ecwid_mock
from ecwid_mock import EcwidMockError, InvalidEvent, InvalidOption, WebhookUrlError
from ecwid_mock._checks import MAX_JSON_DEPTH, MAX_URL_LENGTH
from ecwid_mock._cli import main
from ecwid_mock._delivery.core import resolve_custom_headers
from ecwid_mock._delivery.retry import RetryPolicy
from ecwid_mock._settings import Source, load_app, resolve_settings
from ecwid_mock._transports.wire import Timeouts

pytest_plugins = ["pytester"]

TOKEN = "secret_" + "Q" * 24
DEEP = "[" * (MAX_JSON_DEPTH * 20) + "]" * (MAX_JSON_DEPTH * 20)
HUGE_INT = "9" * 5000
BODY = '{"eventId": "e1", "eventCreated": 1700000000, "eventType": "order.created"}'


DEEP_DICT = deep_dict(MAX_JSON_DEPTH * 30)


def _url(value: str) -> Callable[[], object]:
    return lambda: ecwid_mock.check_webhook_url(value)


def _settings(**values: Any) -> Callable[[], object]:
    return lambda: resolve_settings([Source("ecwid_x in tox.ini", values)])


def _headers(value: Any) -> Callable[[], object]:
    return lambda: resolve_custom_headers(value)


def _validate(value: Any) -> Callable[[], object]:
    return lambda: ecwid_mock.validate_event(value)


def _clock(**kwargs: Any) -> Callable[[], object]:
    return lambda: ecwid_mock.VirtualClock().advance(**kwargs)


# (id, call, error class, the value as shown, the rule as stated)
LIBRARY: list[tuple[str, Callable[[], object], type[Exception], str, str]] = [
    ("url-superscript-port", _url("https://example.com:²/h"), WebhookUrlError, "²", "port"),
    ("url-fullwidth-host", _url("https://ｅｘａｍｐｌｅ。com/h"), WebhookUrlError, "ｅ", "IDNA"),
    ("url-nul", _url("https://example.com/h\x00x"), WebhookUrlError, "example.com", "control"),
    ("url-escape", _url("https://example.com/\x1b[31m"), WebhookUrlError, "example", "control"),
    ("url-del", _url("https://example.com/\x7f"), WebhookUrlError, "example", "control"),
    ("url-c1", _url("https://example.com/\x85"), WebhookUrlError, "example", "whitespace"),
    (
        "url-too-long",
        _url("https://example.com/" + "a" * 200_000),
        WebhookUrlError,
        "https://example.com/aaa",
        f"at most {MAX_URL_LENGTH}",
    ),
    ("url-surrogate", _url("https://example.com/\udc80"), WebhookUrlError, "example", "UTF-8"),
    ("url-http", _url("http://example.com/h"), WebhookUrlError, "http://", "insecure_http_not"),
    (
        "url-token-masked",
        _url("ftp://example.com/h?token=hunter2hunter2"),
        WebhookUrlError,
        "token=********",
        "scheme",
    ),
    ("url-not-str", _url(5), WebhookUrlError, "5", "string"),  # type: ignore[arg-type]
    ("url-port-six-digits", _url("https://e.com:100000/"), WebhookUrlError, "100000", "port"),
    ("validate-deep", _validate(DEEP), InvalidEvent, "nested", f"{MAX_JSON_DEPTH} levels"),
    ("validate-deep-bytes", _validate(DEEP.encode()), InvalidEvent, "nested", "levels deep"),
    ("validate-huge-int", _validate(f'{{"storeId": {HUGE_INT}}}'), InvalidEvent, "integer", "100"),
    ("validate-nan", _validate('{"storeId": NaN}'), InvalidEvent, "NaN", "not JSON"),
    ("validate-infinity", _validate('{"a": -Infinity}'), InvalidEvent, "Infinity", "not JSON"),
    ("validate-int-keys", _validate({1: "a"}), InvalidEvent, "key 1", "keys are strings"),
    ("validate-tuple-keys", _validate({(1, 2): "a"}), InvalidEvent, "(1, 2)", "strings"),
    (
        "validate-dict-huge-int",
        _validate({"storeId": 10**5000}),
        InvalidEvent,
        "integer",
        "100 digits",
    ),
    ("validate-dict-nan", _validate({"storeId": math.nan}), InvalidEvent, "nan", "NaN"),
    ("validate-dict-set", _validate({"a": {1, 2}}), InvalidEvent, "set", "not a JSON value"),
    ("validate-dict-surrogate", _validate({"a": "\udc80"}), InvalidEvent, "surrogate", "UTF-8"),
    ("validate-int", _validate(5), InvalidEvent, "int", "a dict, a JSON string or bytes"),
    ("validate-dict-deep", _validate(DEEP_DICT), InvalidEvent, "nested", "levels deep"),
    (
        "retry-inf",
        lambda: RetryPolicy([60, math.inf]),
        InvalidOption,
        "inf",
        "NaN or infinity",
    ),
    ("retry-nan", lambda: RetryPolicy([math.nan]), InvalidOption, "nan", "finite"),
    ("retry-huge", lambda: RetryPolicy([1e300]), InvalidOption, "1e+300", "ten years"),
    ("retry-not-iterable", lambda: RetryPolicy(5), InvalidOption, "int", "iterable"),  # type: ignore[arg-type]
    (
        "retry-block-inf",
        lambda: RetryPolicy([60], block_after=math.inf),
        InvalidOption,
        "inf",
        "finite",
    ),
    (
        "retry-timedelta-max",
        lambda: RetryPolicy([timedelta.max]),
        InvalidOption,
        "retry offset",
        "ten years",
    ),
    ("clock-start-nan", lambda: ecwid_mock.VirtualClock(math.nan), InvalidOption, "nan", "finite"),
    ("clock-start-inf", lambda: ecwid_mock.VirtualClock(math.inf), InvalidOption, "inf", "finite"),
    ("clock-advance-nan", _clock(seconds=math.nan), InvalidOption, "nan", "finite"),
    ("clock-advance-inf-days", _clock(days=math.inf), InvalidOption, "inf", "finite"),
    ("clock-advance-far", _clock(days=1e9), InvalidOption, "clock advance", "year 10000"),
    ("timeouts-nan", lambda: Timeouts(response=math.nan), InvalidOption, "nan", "finite"),
    ("headers-int", _headers(5), InvalidOption, "<int>", "a mapping or (name, value) pairs"),
    (
        "headers-list-with-token",
        _headers([["Authorization", f"Bearer {TOKEN}"]]),
        InvalidOption,
        "<list>",
        "(name, value) pair",
    ),
    (
        "header-value-crlf-innocuous-name",
        _headers({"X-Note": f"{TOKEN}\r\nX-Evil: 1"}),
        InvalidOption,
        "characters>",
        "single line",
    ),
    (
        "header-value-non-ascii",
        _headers({"X-Note": "pässword-value"}),
        InvalidOption,
        "<14 characters>",
        "ASCII",
    ),
    (
        "header-value-too-long",
        _headers({"X-Big": "a" * 100_000}),
        InvalidOption,
        "<100000 characters>",
        "at most 8192",
    ),
    (
        "header-signature",
        _headers({"X-Ecwid-Webhook-Signature": "x"}),
        InvalidOption,
        "X-Ecwid-Webhook-Signature",
        "Ecwid's own",
    ),
    ("header-content-type", _headers({"content-type": "x"}), InvalidOption, "content-type", "own"),
    ("header-bad-name", _headers({"X Bad": "x"}), InvalidOption, "X Bad", "HTTP token"),
    ("header-value-int", _headers({"X-A": 5}), InvalidOption, "int", "a str or Secret"),
    ("settings-empty-secret", _settings(client_secret=""), InvalidOption, "''", "non-empty"),
    ("settings-blank-secret", _settings(client_secret="  "), InvalidOption, "''", "non-empty"),
    (
        "settings-store-id-int64",
        _settings(store_id=str(2**63)),
        InvalidOption,
        "9223372036854775808",
        "9223372036854775807",
    ),
    (
        "settings-store-id-5000-digits",
        _settings(store_id=HUGE_INT),
        InvalidOption,
        "5000 characters",
        "an integer from 1",
    ),
    ("settings-store-id-superscript", _settings(store_id="²"), InvalidOption, "²", "an integer"),
    ("settings-seed-nan", _settings(seed="nan"), InvalidOption, "nan", "an integer"),
    ("settings-url-port", _settings(url="https://e.com:²/h"), InvalidOption, "²", "port"),
    ("settings-url-http", _settings(url="http://e.com/h"), InvalidOption, "http://", "ecwid_app"),
    ("settings-url-nul", _settings(url="/hook\x00"), InvalidOption, "/hook", "control"),
    ("settings-app-dots", _settings(app="a..b:c"), InvalidOption, "a..b:c", "dotted path"),
    ("settings-cacert-missing", _settings(cacert="no-such.pem"), InvalidOption, "no-such", "PEM"),
    ("settings-cacert-not-pem", _settings(cacert=__file__), InvalidOption, "test_", "PEM file"),
    ("load-app-relative", lambda: load_app(".x:y"), InvalidOption, ".x:y", "dotted path"),
    ("load-app-factory-raises", lambda: load_app("json:loads()"), InvalidOption, "json", "factory"),
    (
        "verify-secret-none",
        lambda: ecwid_mock.verify_signature(BODY, "x", None),  # type: ignore[arg-type]
        InvalidOption,
        "NoneType",
        "client secret",
    ),
    (
        "sign-created-nan",
        lambda: ecwid_mock.sign(math.nan, "e", "s3cret"),
        InvalidOption,
        "nan",
        "int",
    ),  # type: ignore[arg-type]
    (
        "sign-id-surrogate",
        lambda: ecwid_mock.sign(1, "\udc80", "s3cret"),
        InvalidOption,
        "event_id",
        "UTF-8",
    ),
    (
        "sign-created-negative",
        lambda: ecwid_mock.sign(-1, "e", "s3cret"),
        InvalidOption,
        "-1",
        "UNIX seconds",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "value", "rule"),
    [
        pytest.param(call, error, value, rule, id=case_id)
        for case_id, call, error, value, rule in LIBRARY
    ],
)
def test_library_refuses_in_one_line(
    call: Callable[[], object], error: type[Exception], value: str, rule: str
) -> None:
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, EcwidMockError)
    text = str(info.value)
    first = text.splitlines()[0] if isinstance(info.value, InvalidEvent) else text
    assert "\n" not in first
    assert value in text, text
    assert rule in text, text
    assert TOKEN not in text
    assert len(text) < 600, "the value is shortened, not repeated whole"


def test_the_library_table_is_long() -> None:
    assert len(LIBRARY) >= 50


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "deep.json").write_text(DEEP)
    (tmp_path / "huge.json").write_text(f'{{"eventId": "e", "eventCreated": {HUGE_INT}}}')
    (tmp_path / "ok.json").write_text(BODY)
    return tmp_path


SEND = ["send", "order.created", "--client-secret", "s3cret-value"]
HTTPS = "https://127.0.0.1:9999/hook"

# (id, argv, the value as shown, the rule as stated); {dir} is the files' directory
CLI: list[tuple[str, list[str], str, str]] = [
    ("send-port", [*SEND, "--url", "https://e.com:²/h"], "²", "port"),
    (
        "send-http",
        [*SEND, "--url", "http://e.com/h"],
        "http://e.com/h",
        "--insecure-http-not-ecwid",
    ),
    ("send-fullwidth", [*SEND, "--url", "https://ｅｘａｍｐｌｅ.com/"], "ｅｘａｍｐｌｅ", "IDNA"),
    ("send-nan-timeout", [*SEND, "--url", HTTPS, "--response-timeout", "nan"], "nan", "finite"),
    ("send-inf-timeout", [*SEND, "--url", HTTPS, "--connect-timeout", "inf"], "inf", "finite"),
    (
        "send-concurrency",
        [*SEND, "--url", HTTPS, "--concurrency", "100000000"],
        "100000000",
        "at most 10,000",
    ),
    ("send-set-huge", [*SEND, "--url", HTTPS, "--set", f"storeId={HUGE_INT}"], "storeId", "100"),
    ("send-set-deep", [*SEND, "--url", HTTPS, "--set", f"data={DEEP}"], "data", "levels deep"),
    (
        "send-header-signature",
        [*SEND, "--url", HTTPS, "--header", "X-Ecwid-Webhook-Signature: x"],
        "X-Ecwid-Webhook-Signature",
        "--header",
    ),
    (
        "send-header-token-masked",
        [*SEND, "--url", HTTPS, "--header", f"X-Note: {TOKEN}\x01"],
        "characters>",
        "control characters",
    ),
    (
        "send-url-token",
        [*SEND, "--url", "ftp://e.com/h?token=hunter2hunter2"],
        "token=********",
        "scheme",
    ),
    (
        "send-empty-secret",
        ["send", "order.created", "--url", HTTPS, "--client-secret", ""],
        "--client-secret",
        "empty",
    ),
    (
        "sign-deep",
        ["sign", "--client-secret", "s3cret", "{dir}/deep.json"],
        "deep.json",
        "levels deep",
    ),
    (
        "sign-huge",
        ["sign", "--client-secret", "s3cret", "{dir}/huge.json"],
        "huge.json",
        "100 digits",
    ),
    (
        "verify-deep",
        ["verify", "--client-secret", "s3cret", "--signature", "x", "{dir}/deep.json"],
        "deep.json",
        "levels deep",
    ),
    ("validate-deep", ["validate", "{dir}/deep.json"], "deep.json", "levels deep"),
    ("validate-huge", ["validate", "{dir}/huge.json"], "huge.json", "100 digits"),
    ("validate-missing", ["validate", "{dir}/nope.json"], "nope.json", "cannot read"),
    ("listen-port", ["listen", "--port", "²"], "²", "--port"),
    ("argparse-token-masked", [*SEND, "--url", HTTPS, "--count", TOKEN], "********", "--count"),
    ("listen-delay-nan", ["listen", "--delay", "nan"], "nan", "seconds"),
    ("listen-path-control", ["listen", "--path", "/a\x01"], "/a", "control characters"),
    ("send-count-zero", [*SEND, "--url", HTTPS, "--count", "0"], "0", "--count"),
]


@pytest.mark.parametrize(
    ("argv", "value", "rule"),
    [pytest.param(argv, value, rule, id=case_id) for case_id, argv, value, rule in CLI],
)
def test_command_line_refuses_in_one_line(
    argv: list[str],
    value: str,
    rule: str,
    files: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    try:
        code = main([arg.replace("{dir}", str(files)) for arg in argv])
    except SystemExit as exit_info:  # argparse's own refusals exit from parse_args
        code = exit_info.code
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert value in err, err
    assert rule in err, err
    assert "Traceback" not in out + err
    assert TOKEN not in out + err
    assert "hunter2" not in out + err


def test_validate_gives_every_file_a_verdict_and_exits_with_the_worst(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "notjson.json").write_text("nope")
    code = main(
        ["validate", str(files / "ok.json"), str(files / "notjson.json"), str(files / "b.json")]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "ok.json: invalid" in out  # a verdict for the readable file (it lacks fields)
    assert "notjson.json: body is not JSON" in err
    assert "cannot read file" in err
    assert "b.json" in err


def test_an_unexpected_exception_is_one_line_naming_a_bug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ecwid_mock._cli.events as events

    def explode(args: object) -> int:
        raise ZeroDivisionError(f"boom {TOKEN}")

    monkeypatch.setattr(events, "run", explode)
    monkeypatch.delenv("ECWID_MOCK_DEBUG", raising=False)
    assert main(["events"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unexpected ZeroDivisionError" in err
    assert "a bug in ecwid-mock" in err
    assert TOKEN not in err
    assert "Traceback" not in err
    monkeypatch.setenv("ECWID_MOCK_DEBUG", "1")
    assert main(["events"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert TOKEN not in err


@pytest.fixture
def bad_content_length() -> Iterator[int]:
    """A loopback server answering every request with ``Content-Length: ²``."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while True:
            conn, _ = server.accept()
            with conn:
                if stop.is_set():
                    return
                conn.recv(65536)
                conn.sendall("HTTP/1.1 200 OK\r\nContent-Length: ²\r\n\r\n".encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    # close() does not wake a thread blocked in accept(): a last connection does
    socket.create_connection(server.getsockname(), timeout=5).close()
    thread.join(5)
    server.close()


def test_a_private_ca_for_ecwid_url_is_a_setting() -> None:
    from ecwid_mock._servers.tls import TestCertificates

    certificates = TestCertificates()
    pem = certificates.ca_pem_path
    settings = resolve_settings([Source("ecwid_cacert in tox.ini", {"cacert": str(pem)})])
    assert settings.cacert == str(pem)
    certificates.cleanup()
    assert settings.origins["cacert"] == "ecwid_cacert in tox.ini"


def test_send_json_masks_the_url_token(
    bad_content_length: int, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{bad_content_length}/hook?token=hunter2hunter2"
    argv = [*SEND, "--url", url, "--insecure-http-not-ecwid", "--json"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["failures"][0]["url"].startswith(f"http://127.0.0.1:{bad_content_length}/hook")
    assert "hunter2" not in out + err
    assert "token=********" in out


def test_a_malformed_answer_prints_no_asyncio_traceback(
    bad_content_length: int, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{bad_content_length}/hook"
    argv = [*SEND, "--url", url, "--insecure-http-not-ecwid", "--count", "2"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "protocol error" in out
    assert "never retrieved" not in err
    assert "Traceback" not in err


# -- the pytest settings -------------------------------------------------------------------

# (id, where the bad value goes, the value, the expected line)
SETTINGS: list[Any] = [
    (
        "ini-url-port",
        "ini:ecwid_url",
        "https://e.com:²/h",
        "*invalid ecwid_url*²*(from ecwid_url in tox.ini)*port*",
    ),
    (
        "ini-url-http",
        "ini:ecwid_url",
        "http://e.com/h",
        "*(from ecwid_url in tox.ini)*HTTPS*ecwid_app*",
    ),
    (
        "ini-empty-secret",
        "ini:ecwid_client_secret",
        "",
        "*invalid ecwid_client_secret ''*(from ecwid_client_secret in tox.ini)*non-empty*",
    ),
    (
        "ini-store-id-int64",
        "ini:ecwid_store_id",
        str(2**63),
        "*invalid ecwid_store_id*(from ecwid_store_id in tox.ini)*9223372036854775807*",
    ),
    ("ini-app-dots", "ini:ecwid_app", "a..b:c", "*invalid ecwid_app 'a..b:c'*dotted path*"),
    (
        "env-empty-secret",
        "env:ECWID_CLIENT_SECRET",
        "",
        "*(from environment variable ECWID_CLIENT_SECRET)*non-empty*",
    ),
    (
        "cli-empty-secret",
        "cli:--ecwid-client-secret",
        "",
        "*(from --ecwid-client-secret)*non-empty*",
    ),
    (
        "cli-url-token",
        "cli:--ecwid-url",
        "ftp://e.com/h?token=hunter2hunter2",
        "*token=[*][*][*][*][*][*][*][*]'*scheme*",
    ),
    pytest.param(
        "marker-empty-secret",
        "marker:client_secret",
        "",
        "*(from @pytest.mark.ecwid)*non-empty*",
    ),
    pytest.param(
        "marker-store-id",
        "marker:store_id",
        "-5",
        "*invalid ecwid_store_id*(from @pytest.mark.ecwid)*an integer from 1*",
    ),
]


@pytest.mark.parametrize(
    ("where", "value", "line"),
    [
        pytest.param(*case.values[1:], id=case.values[0], marks=case.marks)
        if isinstance(case, type(pytest.param()))
        else pytest.param(*case[1:], id=case[0])
        for case in SETTINGS
    ],
)
def test_pytest_settings_refuse_in_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str, value: str, line: str
) -> None:
    face, _, name = where.partition(":")
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    args: list[str] = []
    marker = ""
    monkeypatch.delenv("ECWID_CLIENT_SECRET", raising=False)
    if face == "ini":
        ini += f"{name} = {value}\n"
    elif face == "env":
        monkeypatch.setenv(name, value)
    elif face == "cli":
        args.append(f"{name}={value}")
    else:
        literal = int(value) if value.lstrip("-").isdigit() else value
        marker = f"@pytest.mark.ecwid({name}={literal!r})\n"
    pytester.makeini(ini)
    pytester.makepyfile(test_inner=f"import pytest\n\n{marker}def test_x(ecwid):\n    pass\n")
    result = pytester.runpytest(*args)
    output = result.stdout.str() + result.stderr.str()
    assert result.ret != 0
    matching = [text for text in output.splitlines() if "invalid ecwid_" in text]
    assert matching, output
    (result.stderr if face != "marker" else result.stdout).fnmatch_lines([line])
    assert "hunter2" not in output
    assert "Traceback" not in output
    assert "During handling" not in output


def test_send_help_states_the_concurrency_cap() -> None:
    import argparse

    from ecwid_mock._cli.send import add_parser
    from ecwid_mock._delivery.flow import MAX_CONCURRENCY

    parsers = argparse.ArgumentParser().add_subparsers()
    add_parser(parsers)
    text = " ".join(parsers.choices["send"].format_help().split())
    assert f"at most {MAX_CONCURRENCY:,};" in text
