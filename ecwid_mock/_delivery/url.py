"""Ecwid's rules for a webhook URL, checked before any traffic, and the URL Ecwid calls.

Rules (docs.ecwid.com "How to process webhooks", api-docs.ecwid.com "Get started"):
HTTPS only; port 80, 443 or 1024-65535; a host; no user or password; no fragment. Each
broken rule raises :class:`~ecwid_mock.WebhookUrlError` whose ``rule`` names it. ecwid-mock
also refuses what no HTTP client could send: URLs over 8 KiB, control characters, hosts that
are not valid IDNA. A password or a credential query value (``?token=...``) is never
repeated in a message.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, urlsplit

from .._checks import MAX_URL_LENGTH, check_host
from .._errors import WebhookUrlError
from .._schemas.contract import contract

__all__ = ["RULES", "check_webhook_url", "event_url", "redact_url"]

#: Rule names used in :attr:`WebhookUrlError.rule`.
RULES = ("syntax", "scheme", "host", "port", "credentials", "fragment")

ALLOWED_PORTS = contract().port_rule


def check_webhook_url(
    url: str, *, allow_http: bool = False, allow_http_as: str = "insecure_http_not_ecwid=True"
) -> str:
    """Return ``url`` if Ecwid would call it, else raise WebhookUrlError naming the rule.

    ``allow_http=True`` accepts plain ``http://`` for local development; Ecwid itself
    only calls HTTPS URLs. ``allow_http_as`` is how the caller's user allows it, in their
    own words (a keyword, a CLI flag, an ini key), for the message that refuses ``http://``.
    """
    if not isinstance(url, str):
        raise WebhookUrlError(repr(url), "syntax", "must be a string such as 'https://host/path'")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlError(
            f"{redact_url(url[:60])}…",
            "syntax",
            f"must be at most {MAX_URL_LENGTH} characters, but has {len(url)}",
        )
    if not url or url != url.strip() or any(c.isspace() for c in url):
        raise WebhookUrlError(redact_url(url), "syntax", "must not be empty or contain whitespace")
    control = next((c for c in url if ord(c) < 32 or 127 <= ord(c) < 160), None)
    if control is not None:
        raise WebhookUrlError(
            redact_url(url), "syntax", f"must not contain control characters, found {control!r}"
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise WebhookUrlError(redact_url(url), "syntax", f"cannot be parsed ({exc})") from None
    _register_credentials(parts)
    shown = redact_url(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        if scheme == "http":
            hint = (
                f"Ecwid only calls HTTPS URLs ({allow_http_as} allows a local plain-HTTP "
                "receiver; real Ecwid would refuse it)"
            )
        else:
            hint = f"the scheme must be https, but got {parts.scheme or '(none)'!r}"
        raise WebhookUrlError(shown, "scheme", hint)
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlError(
            shown,
            "credentials",
            "must not contain a user name or password; Ecwid sends static custom headers "
            "for authentication instead",
        )
    if not parts.hostname:
        raise WebhookUrlError(shown, "host", "must name a host, as in 'https://example.com/hook'")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WebhookUrlError(
            shown, "syntax", f"must encode as UTF-8 (a lone surrogate at {exc.start})"
        ) from None
    host_problem = check_host(parts.hostname)
    if host_problem is not None:
        raise WebhookUrlError(shown, "host", host_problem)
    _check_port(parts, shown)
    if "#" in url:
        raise WebhookUrlError(
            shown, "fragment", f"must not have a fragment, but got '#{parts.fragment}'"
        )
    return url


#: Query parameters whose values are credentials (as ecwid_mock._secrets masks them).
_CREDENTIAL_KEYS = re.compile(
    r"(?i)^(?:access_?token|token|api_?key|key|client_?secret|secret|signature|sig|"
    r"password|passwd|pass|auth)$"
)


def _register_credentials(parts: SplitResult) -> None:
    """Remember a password and credential query values as secrets: masked wherever shown."""
    from urllib.parse import parse_qsl

    from .._secrets import register

    if parts.password:
        register(parts.password)
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if _CREDENTIAL_KEYS.match(key):
            register(value)


def _check_port(parts: SplitResult, shown: str) -> None:
    netloc = parts.netloc.rpartition("@")[2]
    host_end = netloc.rfind("]") if netloc.startswith("[") else -1
    port_text = netloc[host_end + 1 :].partition(":")[2] if ":" in netloc[host_end + 1 :] else None
    if not port_text:
        return
    if not (port_text.isascii() and port_text.isdigit()) or len(port_text) > 5:
        raise WebhookUrlError(shown, "port", f"must be {ALLOWED_PORTS}, but got {port_text!r}")
    port = int(port_text)
    if not contract().port_allowed(port):
        raise WebhookUrlError(
            shown, "port", f"must be {ALLOWED_PORTS}, but got {port} (Ecwid does not call it)"
        )


def event_url(url: str, event_type: str) -> str:
    """The URL Ecwid calls for one event: ``eventtype=<type>`` appended to any query kept."""
    base, hash_mark, fragment = url.partition("#")
    separator = (
        "&" if "?" in base and not base.endswith(("?", "&")) else ("" if "?" in base else "?")
    )
    return f"{base}{separator}eventtype={quote(event_type, safe='._')}{hash_mark}{fragment}"


def redact_url(url: str) -> str:
    """``url`` as it may be shown: any password replaced by ``***``; credential query values
    (``?token=...``), registered secrets and Ecwid tokens masked (:func:`ecwid_mock._secrets.mask`).
    """
    from .._secrets import mask

    try:
        parts = urlsplit(url)
    except ValueError:
        return mask(re.sub(r"//[^/?#]*@", "//***@", url))
    if parts.password is None:
        return mask(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return mask(parts._replace(netloc=f"{user}:***@{hostport}").geturl())
