"""One table from every failure below HTTP to one reason kind and a sentence.

The network engine, the in-process transports and any httpx transport a user passes all
fail through :func:`classify`, so a refused port or a reset reads the same on every path
(the pattern of httpx ``_transports/default.py``'s exception map).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from typing import Literal

__all__ = ["ERROR_KINDS", "EngineError", "Phase", "classify"]

#: Why an attempt got no HTTP answer; every transport maps its failures to one of these.
ERROR_KINDS = (
    "dns",  # the host name did not resolve (in time)
    "refused",  # nothing listens on the port
    "connect-timeout",  # no connection within the connect limit
    "connect",  # any other failure to connect
    "tls",  # the certificate or the TLS handshake failed
    "timeout",  # no complete answer within the response limit
    "reset",  # the receiver closed or reset the connection before answering
    "protocol",  # the answer is not valid HTTP/1.1, or broke off in the middle
)

Phase = Literal["resolve", "connect", "answer"]
_TLS_HINT = "(Ecwid needs a certificate from a trusted CA)"


class EngineError(Exception):
    """A failure already classified where it happened (kind and words)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _tls_detail(exc: ssl.SSLError) -> str:
    detail = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    return f"TLS failure: {detail} {_TLS_HINT}"


#: Verdicts on lone exceptions (no cause or context), by type, words, phase and limits: a
#: receiver that refuses every retry raises the same error thousands of times.
_LONE: dict[tuple[type[BaseException], str, str, float, float], tuple[str, str]] = {}
_LONE_MAX = 256
#: The exceptions whose verdict reads more than their type and words.
_READS_ATTRIBUTES = (ssl.SSLError, socket.gaierror)


def classify(
    exc: BaseException, phase: Phase, *, connect_timeout: float, response_timeout: float
) -> tuple[str, str]:
    """(kind, detail) for ``exc`` raised in ``phase`` of one attempt."""
    if isinstance(exc, EngineError):
        return exc.kind, exc.detail
    if (
        exc.__cause__ is not None
        or exc.__context__ is not None
        or isinstance(exc, _READS_ATTRIBUTES)
    ):
        return _classify(exc, phase, connect_timeout, response_timeout)
    key = (type(exc), str(exc), phase, connect_timeout, response_timeout)
    found = _LONE.get(key)
    if found is None:
        found = _classify(exc, phase, connect_timeout, response_timeout)
        if len(_LONE) >= _LONE_MAX:
            _LONE.clear()
        _LONE[key] = found
    return found


def _classify(
    exc: BaseException, phase: Phase, connect_timeout: float, response_timeout: float
) -> tuple[str, str]:
    httpx_kind = _httpx_kind(exc)
    if httpx_kind is not None:
        phase = "connect" if httpx_kind == "connect" else "answer"
        if isinstance(exc.__context__, (asyncio.TimeoutError, TimeoutError)) or (
            type(exc).__name__.endswith("Timeout")
        ):
            exc = TimeoutError()
    chain = _chain(exc)
    # one pass over the chain; the first match of each kind, in the order they are judged
    timed_out = refused = reset = False
    dns: socket.gaierror | None = None
    tls: ssl.SSLError | None = None
    for e in chain:
        if isinstance(e, (asyncio.TimeoutError, TimeoutError)):  # one class on 3.11+
            timed_out = True
        elif isinstance(e, socket.gaierror):
            dns = dns or e
        elif isinstance(e, ssl.SSLError):
            tls = tls or e
        elif isinstance(e, ConnectionRefusedError):
            refused = True
        elif isinstance(e, (ConnectionResetError, BrokenPipeError)):
            reset = True
    if timed_out:
        if phase == "resolve":
            return "dns", f"the host name did not resolve within {connect_timeout:g} s"
        if phase == "connect":
            return "connect-timeout", f"no connection within {connect_timeout:g} s"
        return "timeout", f"no complete answer within {response_timeout:g} s"
    if dns is not None:
        return "dns", f"the host name did not resolve ({dns.strerror or dns})"
    if tls is not None:
        return "tls", _tls_detail(tls)
    text = " | ".join(filter(None, map(str, chain))).lower()
    if "certificate_verify_failed" in text:
        return "tls", f"TLS failure: {text} {_TLS_HINT}"
    if refused or "refused" in text:
        return "refused", "connection refused"
    if reset or "reset by peer" in text:
        return "reset", "connection reset by the receiver"
    if phase in ("resolve", "connect") or httpx_kind == "connect":
        return "connect", f"connection failed: {exc or type(exc).__name__}"
    if "without sending a response" in text:
        return "reset", "connection closed by the receiver before it answered"
    return "protocol", f"protocol error: {exc or type(exc).__name__}"


def _httpx_kind(exc: BaseException) -> str | None:
    """'connect' or 'answer' for an httpx exception (httpx imported only if it is loaded)."""
    httpx = sys.modules.get("httpx")
    if httpx is None or not isinstance(exc, httpx.HTTPError):
        return None
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return "connect"
    return "answer"
