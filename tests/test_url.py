"""Ecwid's webhook URL rules, checked before any traffic."""

from __future__ import annotations

import pytest

from ecwid_mock import WebhookUrlError, check_webhook_url
from ecwid_mock._delivery.url import event_url, redact_url


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://example.com/webhooks", id="plain-https"),
        pytest.param("https://example.com", id="no-path"),
        pytest.param("https://example.com:443/hook", id="port-443"),
        pytest.param("https://example.com:80/hook", id="port-80"),
        pytest.param("https://example.com:1024/hook", id="port-1024"),
        pytest.param("https://example.com:65535/hook", id="port-65535"),
        pytest.param("https://127.0.0.1:8443/hook", id="ipv4"),
        pytest.param("https://[::1]:8443/hook", id="ipv6"),
        pytest.param("https://example.com/hook?app=1&x=y", id="query-kept"),
        pytest.param("HTTPS://Example.COM/hook", id="upper-case-scheme"),
    ],
)
def test_urls_ecwid_calls(url: str) -> None:
    assert check_webhook_url(url) == url


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        pytest.param("http://example.com/hook", "scheme", id="scheme-http"),
        pytest.param("ftp://example.com/hook", "scheme", id="scheme-ftp"),
        pytest.param("example.com/hook", "scheme", id="scheme-missing"),
        pytest.param("https:///hook", "host", id="host-missing"),
        pytest.param("https://:8443/hook", "host", id="host-empty-with-port"),
        pytest.param("https://example.com:22/hook", "port", id="port-22"),
        pytest.param("https://example.com:1023/hook", "port", id="port-1023"),
        pytest.param("https://example.com:8080x/hook", "port", id="port-not-a-number"),
        pytest.param("https://example.com:65536/hook", "port", id="port-too-high"),
        pytest.param("https://example.com:0/hook", "port", id="port-0"),
        pytest.param("https://user@example.com/hook", "credentials", id="user-in-url"),
        pytest.param("https://user:pw@example.com/hook", "credentials", id="password-in-url"),
        pytest.param("https://example.com/hook#part", "fragment", id="fragment"),
        pytest.param("https://example.com/hook#", "fragment", id="empty-fragment"),
        pytest.param("", "syntax", id="empty"),
        pytest.param(" https://example.com/hook", "syntax", id="leading-space"),
        pytest.param("https://exa mple.com/hook", "syntax", id="inner-space"),
        pytest.param("https://[::1/hook", "syntax", id="broken-ipv6"),
    ],
)
def test_urls_ecwid_refuses(url: str, rule: str) -> None:
    with pytest.raises(WebhookUrlError) as caught:
        check_webhook_url(url)
    assert caught.value.rule == rule
    assert f"rule {rule!r}" in str(caught.value)


def test_the_message_names_the_bad_value_and_what_is_allowed() -> None:
    with pytest.raises(WebhookUrlError, match=r"port.*80, 443 or 1024-65535, but got 22"):
        check_webhook_url("https://example.com:22/hook")
    with pytest.raises(WebhookUrlError, match=r"insecure_http_not_ecwid=True"):
        check_webhook_url("http://example.com/hook")


def test_a_password_is_never_echoed() -> None:
    with pytest.raises(WebhookUrlError) as caught:
        check_webhook_url("https://user:hunter2@example.com/hook")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in caught.value.url
    assert "user:***@example.com" in str(caught.value)


def test_a_password_is_not_echoed_when_another_rule_breaks_first() -> None:
    with pytest.raises(WebhookUrlError) as caught:
        check_webhook_url("http://user:hunter2@example.com/hook")
    assert caught.value.rule == "scheme"
    assert "hunter2" not in str(caught.value)


def test_plain_http_only_through_the_explicit_opt_out() -> None:
    assert check_webhook_url("http://127.0.0.1:8000/hook", allow_http=True)
    with pytest.raises(WebhookUrlError, match="'scheme'"):
        check_webhook_url("ftp://127.0.0.1:8000/hook", allow_http=True)
    with pytest.raises(WebhookUrlError, match="'port'"):
        check_webhook_url("http://127.0.0.1:81/hook", allow_http=True)


def test_not_a_string() -> None:
    with pytest.raises(WebhookUrlError, match="'syntax'"):
        check_webhook_url(b"https://example.com")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://h/hook", "https://h/hook?eventtype=order.created", id="no-query"),
        pytest.param(
            "https://h/hook?app=1", "https://h/hook?app=1&eventtype=order.created", id="query"
        ),
        pytest.param(
            "https://h/hook?", "https://h/hook?eventtype=order.created", id="bare-question"
        ),
        pytest.param("https://h", "https://h?eventtype=order.created", id="no-path"),
    ],
)
def test_event_url_appends_eventtype_and_keeps_the_query(url: str, expected: str) -> None:
    assert event_url(url, "order.created") == expected


def test_redact_url_leaves_urls_without_password_alone() -> None:
    assert redact_url("https://example.com/a?b=c") == "https://example.com/a?b=c"
    assert redact_url("https://u:p@[::1/x") == "https://***@[::1/x"
