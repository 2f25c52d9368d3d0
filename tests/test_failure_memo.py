"""Failures met again are judged from a memo: each still gets the words of its own evidence.

A receiver that keeps refusing raises the same error thousands of times, so ``classify``,
``Answer.failure`` and ``judge`` remember what they said. These tests pin that the memo never
lends one failure's verdict to another: different words, types, phases, limits, chains and
TLS attributes each get their own.
"""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from ecwid_mock import judge
from ecwid_mock._transports import errors
from ecwid_mock._transports.errors import classify
from ecwid_mock._transports.wire import Answer

LIMITS = {"connect_timeout": 3.0, "response_timeout": 10.0}


def lone(exc: BaseException) -> BaseException:
    """``exc`` as raised on its own: no cause, no context."""
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_the_same_failure_again_gets_the_same_verdict() -> None:
    first = classify(lone(httpx.ConnectError("[Errno 111] Connection refused")), "answer", **LIMITS)
    again = classify(lone(httpx.ConnectError("[Errno 111] Connection refused")), "answer", **LIMITS)
    assert first == again == ("refused", "connection refused")


@pytest.mark.parametrize(
    ("exc", "phase", "expected"),
    [
        (httpx.ConnectError("boom"), "answer", ("connect", "connection failed: boom")),
        (httpx.ConnectError("kaboom"), "answer", ("connect", "connection failed: kaboom")),
        (httpx.ReadError("boom"), "answer", ("protocol", "protocol error: boom")),
        (OSError("boom"), "connect", ("connect", "connection failed: boom")),
        (OSError("boom"), "answer", ("protocol", "protocol error: boom")),
        (httpx.ReadTimeout("slow"), "answer", ("timeout", "no complete answer within 10 s")),
    ],
)
def test_type_words_and_phase_each_count(
    exc: BaseException, phase: errors.Phase, expected: tuple[str, str]
) -> None:
    # the same words under another type or phase were judged just before
    for other in (httpx.ConnectError("boom"), OSError("boom"), httpx.ReadError("boom")):
        classify(lone(other), "connect", **LIMITS)
        classify(lone(other), "answer", **LIMITS)
    assert classify(lone(exc), phase, **LIMITS) == expected


def test_the_limits_are_part_of_the_words() -> None:
    slow = lone(httpx.ConnectTimeout("slow"))
    assert classify(slow, "connect", connect_timeout=3, response_timeout=10)[1] == (
        "no connection within 3 s"
    )
    assert classify(slow, "connect", connect_timeout=5, response_timeout=10)[1] == (
        "no connection within 5 s"
    )


def test_a_cause_is_read_every_time() -> None:
    bare = lone(httpx.ConnectError("failed"))
    assert classify(bare, "answer", **LIMITS)[0] == "connect"
    caused = lone(httpx.ConnectError("failed"))
    caused.__cause__ = ConnectionResetError("reset")
    assert classify(caused, "answer", **LIMITS)[0] == "reset"


def test_tls_failures_read_their_own_certificate_message() -> None:
    def tls(message: str) -> ssl.SSLCertVerificationError:
        exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
        exc.verify_message = message
        return exc

    assert "expired" in classify(lone(tls("certificate has expired")), "connect", **LIMITS)[1]
    assert "self-signed" in classify(lone(tls("self-signed certificate")), "connect", **LIMITS)[1]


def test_dns_failures_read_their_own_error() -> None:
    def dns(strerror: str) -> socket.gaierror:
        exc = socket.gaierror(-2, "same words")
        exc.strerror = strerror
        return exc

    assert classify(lone(dns("Name not known")), "resolve", **LIMITS)[1].endswith("known)")
    assert classify(lone(dns("Try again")), "resolve", **LIMITS)[1].endswith("again)")


def test_the_memo_stays_small_and_right_past_its_size() -> None:
    count = errors._LONE_MAX * 2 + 3
    verdicts = [classify(lone(OSError(f"refused #{i}")), "connect", **LIMITS) for i in range(count)]
    assert verdicts == [("refused", "connection refused")] * count
    details = [classify(lone(OSError(f"e{i}")), "connect", **LIMITS)[1] for i in range(count)]
    assert details == [f"connection failed: e{i}" for i in range(count)]
    assert len(errors._LONE) <= errors._LONE_MAX


def test_answers_and_verdicts_of_failures_are_per_reason() -> None:
    refused = Answer.failure("refused", "connection refused")
    assert Answer.failure("refused", "connection refused") == refused
    assert Answer.failure("reset", "connection refused").error == "reset"
    assert Answer.failure("refused", "other words").detail == "other words"
    crashed = Answer.failure("protocol", "app raised", app_error="Traceback ...")
    assert crashed.app_error == "Traceback ..."
    assert Answer.failure("protocol", "app raised").app_error == ""
    assert judge(error="refused", detail="connection refused").reason == "connection refused"
    assert judge(error="refused").reason == "refused"
    assert judge(500).reason == "status 500 Internal Server Error"
    assert judge(500).accepted is judge(503).accepted is False
    assert judge(503).reason == "status 503 Service Unavailable"
    assert judge(203).reason.startswith("status 203 is not one Ecwid accepts")
    assert judge(301, location="/a").reason.endswith("(Location: /a)")
    assert judge(301, location="/b").reason.endswith("(Location: /b)")
