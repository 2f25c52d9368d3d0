"""The wire model: one request as bytes to send, and one answer as it came back.

A :class:`Wire` is built once per event (its :class:`Target` once per URL) and kept while
retries may resend it, so every attempt sends the same bytes. An :class:`Answer` is what
one POST produced, raw: the status line, headers and the start of the body, or the
failure below HTTP. Judging it is the delivery layer's job (``ecwid_mock.judge``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import InvalidOption
from .._schemas.contract import contract as _contract

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BODY_KEEP",
    "Answer",
    "HeaderLines",
    "Target",
    "Timeouts",
    "Wire",
    "parse_target",
    "resolve_timeouts",
]

#: How much of an answer's body is kept (the rest is read and dropped).
BODY_KEEP = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Ecwid's limits: seconds to connect (name resolution included) and for the whole answer.

    The defaults come from ``schemas/delivery-contract.json`` (3 s and 10 s).
    """

    connect: float = field(default_factory=lambda: _contract().connect_timeout)
    response: float = field(default_factory=lambda: _contract().response_timeout)

    def __post_init__(self) -> None:
        for name in ("connect", "response"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise InvalidOption(
                    f"timeouts.{name}", value, "a finite positive number of seconds"
                )

    def extension(self) -> dict[str, float | None]:
        """The per-request ``timeout`` extension httpx transports read."""
        return {
            "connect": self.connect,
            "read": self.response,
            "write": self.response,
            "pool": None,
        }


def resolve_timeouts(value: object) -> Timeouts:
    """``None`` (Ecwid's 3 s / 10 s), a :class:`Timeouts`, or an ``httpx.Timeout``."""
    if value is None:
        return Timeouts()
    if isinstance(value, Timeouts):
        return value
    import httpx

    if isinstance(value, httpx.Timeout):
        defaults = Timeouts()
        return Timeouts(
            connect=value.connect if value.connect is not None else defaults.connect,
            response=value.read if value.read is not None else defaults.response,
        )
    raise InvalidOption(
        "timeouts", value, "None, ecwid_mock Timeouts(connect=, response=) or an httpx.Timeout"
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL leads, parsed once: as httpx sends it (percent-encoded, IDNA host)."""

    url: str
    scheme: str
    host: str  # for connecting: ASCII (IDNA), IPv6 without brackets
    port: int
    host_header: str  # the Host header: host[:port], port only when not the default
    request_target: str  # percent-encoded path and query
    parsed: Any = field(default=None, compare=False, repr=False)
    #: The start of every webhook POST to it: the request line and the Host header, as bytes.
    post_head: bytes = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        head = f"POST {self.request_target} HTTP/1.1\r\nHost: {self.host_header}\r\n"
        object.__setattr__(self, "post_head", head.encode("ascii"))

    @property
    def httpx_url(self) -> httpx.URL:
        """The URL as an ``httpx.URL``, for the in-process transports (httpx loaded on use)."""
        parsed: httpx.URL | None = self.parsed
        if parsed is None:
            import httpx

            parsed = httpx.URL(self.url)
            object.__setattr__(self, "parsed", parsed)
        return parsed


def parse_target(url: str) -> Target:
    """Parse ``url`` the way httpx does (percent-encoding, IDNA), without importing httpx."""
    from .urls import normalise

    scheme, host, port, host_header, target = normalise(url)
    return Target(url, scheme, host, port, host_header, target)


def _render(lines: tuple[tuple[str, str], ...]) -> bytes:
    return "".join([f"{name}: {value}\r\n" for name, value in lines]).encode("ascii")


@dataclass(frozen=True)
class HeaderLines:
    """Header lines sent alike on every request, rendered to bytes once."""

    lines: tuple[tuple[str, str], ...] = ()
    rendered: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rendered", _render(self.lines))


@dataclass(frozen=True, init=False)
class Wire:
    """One webhook request: target, header lines, body, and the exact bytes the engine sends.

    Build it with :meth:`build`; ``data`` is the head (Host first, Content-Length last, as
    httpx orders them) and the body, serialised once and resent unchanged on every retry.
    """

    target: Target
    lines: tuple[tuple[str, str], ...]
    body: bytes
    timeout: dict[str, float | None]
    data: bytes
    cached_request: Any = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        target: Target,
        lines: tuple[tuple[str, str], ...],
        body: bytes,
        timeout: dict[str, float | None],
        data: bytes,
        cached_request: Any = None,
    ) -> None:
        # The new instance's own dict filled, not a frozen __setattr__ per field (as Event does):
        # a wire is built for every event sent.
        fields = self.__dict__
        fields["target"] = target
        fields["lines"] = lines
        fields["body"] = body
        fields["timeout"] = timeout
        fields["data"] = data
        fields["cached_request"] = cached_request

    @classmethod
    def build(
        cls,
        target: Target,
        lines: tuple[tuple[str, str], ...],
        body: bytes,
        timeout: dict[str, float | None],
        *,
        then: HeaderLines = HeaderLines(),
    ) -> Wire:
        """The request with this request's ``lines``, then the lines every request has."""
        data = b"".join(
            (
                target.post_head,
                _render(lines),
                then.rendered,
                b"Content-Length: %d\r\n\r\n" % len(body),
                body,
            )
        )
        return cls(target, lines + then.lines, body, timeout, data)

    @property
    def url(self) -> str:
        return self.target.url

    def httpx_request(self) -> httpx.Request:
        """The request as httpx transports take it, built once and resent on every retry."""
        request: httpx.Request | None = self.cached_request
        if request is None:
            import httpx

            request = httpx.Request(
                "POST",
                self.target.httpx_url,
                headers=self.lines,
                content=self.body,
                extensions={"timeout": self.timeout},
            )
            object.__setattr__(self, "cached_request", request)
        return request


@dataclass(frozen=True, init=False)
class Answer:
    """What one POST produced, raw: an HTTP answer, or a failure below HTTP.

    ``status_code`` is the final status (``None`` when there was none); ``error`` one of
    ``ERROR_KINDS`` with ``detail`` in words; ``body`` the first 64 KiB of the body
    (``body_truncated`` when there was more); ``app_error`` the traceback of an in-process
    app that raised.
    """

    status_code: int | None = None
    reason_phrase: str = ""
    http_version: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    body_truncated: bool = False
    error: str | None = None
    detail: str = ""
    app_error: str = ""

    def __init__(
        self,
        status_code: int | None = None,
        reason_phrase: str = "",
        http_version: str = "",
        headers: tuple[tuple[str, str], ...] = (),
        body: bytes = b"",
        body_truncated: bool = False,
        error: str | None = None,
        detail: str = "",
        app_error: str = "",
    ) -> None:
        # The new instance's own dict filled, not a frozen __setattr__ per field (as Event does):
        # an answer is made for every attempt of a bulk run.
        fields = self.__dict__
        fields["status_code"] = status_code
        fields["reason_phrase"] = reason_phrase
        fields["http_version"] = http_version
        fields["headers"] = headers
        fields["body"] = body
        fields["body_truncated"] = body_truncated
        fields["error"] = error
        fields["detail"] = detail
        fields["app_error"] = app_error

    @property
    def location(self) -> str | None:
        return self.header("location")

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @classmethod
    def failure(cls, kind: str, detail: str, *, app_error: str = "") -> Answer:
        if app_error:
            return cls(error=kind, detail=detail, app_error=app_error)
        return _failure(kind, detail)


# One frozen answer per failure: a receiver that keeps refusing refuses alike.
@functools.lru_cache(maxsize=256)
def _failure(kind: str, detail: str) -> Answer:
    return Answer(error=kind, detail=detail)
