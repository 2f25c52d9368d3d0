"""Sender and AsyncSender through httpx.MockTransport and in-process apps: no network."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ecwid_mock import (
    AsyncSender,
    Delivery,
    Event,
    InvalidOption,
    Outcome,
    RetryPolicy,
    Secret,
    Sender,
    VirtualClock,
    WebhookUrlError,
    verify_signature,
)
from ecwid_mock._clock import DEFAULT_START
from ecwid_mock._delivery.flow import order_batch
from ecwid_mock._events.signing import sign
from ecwid_mock._schemas.catalog import schema_for
from ecwid_mock._transports.wire import Timeouts

SECRET = "sender-test-client-secret"
URL = "https://receiver.test/webhooks/ecwid"
MIN = 60.0
HOUR = 3600.0


def make_event(event_type: str = "order.created", event_id: str | None = None) -> Event:
    payload = dict(schema_for(event_type)["examples"][0])
    if event_id is not None:
        payload["eventId"] = event_id
    return Event.from_payload(
        payload, signature=sign(payload["eventCreated"], payload["eventId"], SECRET)
    )


def answering(*statuses: int, **headers: str) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with ``statuses`` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses[min(len(seen), len(statuses)) - 1]
        return httpx.Response(status, headers=headers, text=f"answer {status}")

    return httpx.MockTransport(handler), seen


def refusing() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    return httpx.MockTransport(handler)


def sender_for(transport: httpx.BaseTransport, **options: Any) -> Sender:
    return Sender(URL, transport=transport, **options)


# -- the request -------------------------------------------------------------------------


def test_posts_the_exact_body_with_ecwids_headers_and_query() -> None:
    transport, seen = answering(200)
    event = make_event()
    delivery = sender_for(transport).send(event)
    assert delivery.delivered
    assert delivery.outcome is Outcome.DELIVERED
    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == URL + "?eventtype=order.created"
    assert request.content == event.body
    assert request.headers["content-type"] == "application/json; charset=UTF-8"
    assert request.headers["cache-control"] == "no-cache"
    assert request.headers["x-ecwid-webhook-signature"] == event.signature
    assert verify_signature(request.content, request.headers["x-ecwid-webhook-signature"], SECRET)
    assert "cookie" not in request.headers
    assert delivery.url == URL + "?eventtype=order.created"
    assert ("X-Ecwid-Webhook-Signature", event.signature) in delivery.request_headers


def test_keeps_the_query_the_url_already_has() -> None:
    transport, seen = answering(200)
    Sender(URL + "?app=7", transport=transport).send(make_event())
    assert seen[0].url.params.multi_items() == [("app", "7"), ("eventtype", "order.created")]


@pytest.mark.parametrize(
    "name", ["Content-Type", "x-ecwid-webhook-signature", "Cache-Control", "User-Agent"]
)
def test_a_custom_header_may_not_repeat_one_of_ecwids_own(name: str) -> None:
    transport, _ = answering(200)
    with pytest.raises(InvalidOption, match=f"{name!r}.*Ecwid's own on every webhook"):
        sender_for(transport, custom_headers={name: "application/x-custom"})


def test_a_custom_header_repeating_nothing_is_sent_as_given() -> None:
    transport, seen = answering(200)
    sender = sender_for(transport, custom_headers={"X-App-Store": "store-1"})
    sender.send(make_event())
    assert seen[0].headers.get_list("x-app-store") == ["store-1"]
    assert seen[0].headers.get_list("content-type") == ["application/json; charset=UTF-8"]


def test_secret_custom_headers_are_sent_but_never_shown() -> None:
    transport, seen = answering(500)
    sender = sender_for(
        transport,
        custom_headers=[("Authorization", "Bearer tok-123"), ("X-Shared", Secret("hidden-456"))],
        retry_policy=RetryPolicy.none(),
    )
    delivery = sender.send(make_event())
    assert seen[0].headers["authorization"] == "Bearer tok-123"
    assert seen[0].headers["x-shared"] == "hidden-456"
    shown = repr(delivery) + delivery.explain("to be delivered") + str(delivery.request_headers)
    for secret in ("tok-123", "hidden-456", SECRET):
        assert secret not in shown
    assert ("Authorization", "********") in delivery.request_headers
    assert SECRET not in repr(sender)


def test_a_missing_signature_is_left_out() -> None:
    transport, seen = answering(401)
    payload = schema_for("order.created")["examples"][0]
    event = Event.from_payload(payload, signature=None, signature_mode="missing")
    delivery = sender_for(transport, retry_policy="none").send(event)
    assert "x-ecwid-webhook-signature" not in seen[0].headers
    delivery.assert_rejected()
    delivery.assert_status(401)
    assert "(signature mode: missing)" in delivery.explain("x")


# -- verdicts ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204, 209])
def test_accepted_codes_deliver(status: int) -> None:
    transport, _ = answering(status)
    sender_for(transport).send(make_event()).assert_delivered()


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        pytest.param(203, "status 203 is not one Ecwid accepts", id="203"),
        pytest.param(208, "status 208 is not one Ecwid accepts", id="208"),
        pytest.param(299, "status 299 is not one Ecwid accepts", id="other-2xx"),
        pytest.param(
            301, "redirect 301 not followed (Location: https://elsewhere.test/)", id="301"
        ),
        pytest.param(302, "redirect 302 not followed", id="302"),
        pytest.param(404, "status 404 Not Found", id="404"),
        pytest.param(500, "status 500 Internal Server Error", id="500"),
    ],
)
def test_other_codes_fail_with_their_reason(status: int, reason: str) -> None:
    transport, seen = answering(status, location="https://elsewhere.test/")
    delivery = sender_for(transport).send(make_event())
    assert not delivery.delivered
    assert delivery.outcome is Outcome.RETRYING
    assert delivery.attempts[0].reason.startswith(reason)
    assert delivery.attempts[0].status_code == status
    assert delivery.attempts[0].body_excerpt == f"answer {status}"
    assert len(seen) == 1  # a redirect is not followed


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        pytest.param(httpx.ConnectError("[Errno 111] Connection refused"), "refused", id="refused"),
        pytest.param(httpx.ReadError("[Errno 104] Connection reset by peer"), "reset", id="reset"),
        pytest.param(httpx.ConnectTimeout("timed out"), "connect-timeout", id="connect-timeout"),
        pytest.param(httpx.ReadTimeout("timed out"), "timeout", id="read-timeout"),
        pytest.param(httpx.RemoteProtocolError("Server disconnected"), "protocol", id="protocol"),
        pytest.param(RuntimeError("handler bug"), "protocol", id="unexpected-error"),
    ],
)
def test_transport_errors_become_failed_attempts(exception: Exception, kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    delivery = sender_for(httpx.MockTransport(handler)).send(make_event())
    attempt = delivery.attempts[0]
    assert attempt.error == kind
    assert attempt.status_code is None
    assert attempt.reason
    assert delivery.outcome is Outcome.RETRYING


# -- retries on the virtual clock --------------------------------------------------------


def test_retries_follow_ecwids_schedule_exactly_then_drop() -> None:
    transport, _seen = answering(500)
    sender = sender_for(transport)
    delivery = sender.send(make_event())
    assert delivery.next_retry_at == DEFAULT_START + 15 * MIN
    assert sender.run_until_idle() == 27
    expected = [0.0, 15 * MIN, 30 * MIN, 45 * MIN] + [h * HOUR for h in range(1, 25)]
    assert [a.sent_at - DEFAULT_START for a in delivery.attempts] == expected
    assert [a.scheduled_at for a in delivery.attempts] == [a.sent_at for a in delivery.attempts]
    assert [a.number for a in delivery.attempts] == list(range(1, 29))
    assert delivery.outcome is Outcome.DROPPED
    assert delivery.next_retry_at is None
    assert sender.pending == 0
    assert sender.clock.now() == DEFAULT_START + 24 * HOUR
    assert "dropped after 28 attempts: status 500 Internal Server Error" in repr(delivery)


def test_a_retry_resends_identical_bytes_and_signature() -> None:
    transport, seen = answering(503, 503, 200)
    sender = sender_for(transport)
    delivery = sender.send(make_event())
    sender.run_until_idle()
    assert delivery.delivered
    assert len(delivery.attempts) == 3
    assert len({r.content for r in seen}) == 1
    assert len({r.headers["x-ecwid-webhook-signature"] for r in seen}) == 1


def test_advancing_sends_each_retry_when_it_falls_due() -> None:
    transport, seen = answering(500)
    sender = sender_for(transport)
    sender.send(make_event())
    assert sender.advance(minutes=14) == 0
    assert sender.advance(minutes=1) == 1
    assert sender.advance(hours=2) == 4  # 30 min, 45 min, 1 h, 2 h
    assert len(seen) == 6
    assert sender.clock.now() == DEFAULT_START + 2 * HOUR + 15 * MIN


def test_overdue_retries_are_sent_at_once_after_a_jump() -> None:
    transport, _seen = answering(500)
    clock = VirtualClock()
    sender = sender_for(transport, clock=clock)
    delivery = sender.send(make_event())
    clock.advance(hours=2)
    assert sender.run_pending() == 5
    late = delivery.attempts[1]
    assert late.scheduled_at == DEFAULT_START + 15 * MIN
    assert late.sent_at == DEFAULT_START + 2 * HOUR
    assert delivery.next_retry_at == DEFAULT_START + 3 * HOUR


def test_legacy_policy_by_name() -> None:
    transport, _seen = answering(500)
    sender = sender_for(transport, retry_policy="legacy")
    delivery = sender.send(make_event())
    sender.run_until_idle()
    assert len(delivery.attempts) == 193
    assert delivery.attempts[-1].sent_at - DEFAULT_START == 48 * HOUR


def test_the_app_is_blocked_after_two_weeks_of_failures_until_reset() -> None:
    transport, seen = answering(500)
    sender = sender_for(transport)
    days: list[Delivery] = []
    for _ in range(13):
        days.append(sender.send(make_event()))
        sender.advance(days=1)
    assert all(d.outcome is Outcome.DROPPED for d in days)
    assert not sender.blocked  # failing from day 0 to day 13 so far
    last = sender.send(make_event())
    sender.run_until_idle()  # its last retry, on day 14, completes two weeks of failures
    assert sender.blocked
    assert sender.clock.now() == DEFAULT_START + 14 * 24 * HOUR
    assert last.outcome is Outcome.BLOCKED
    assert len(last.attempts) == 28
    assert "blocked" in repr(last)
    assert "reset_block()" in last.reason
    sent_before = len(seen)
    later = sender.send(make_event())
    assert later.outcome is Outcome.BLOCKED
    assert later.attempts == []
    assert len(seen) == sent_before  # nothing goes out while blocked
    sender.reset_block()
    assert not sender.blocked
    assert sender.send(make_event()).attempts


def test_blocking_ends_retries_still_pending() -> None:
    transport, _ = answering(500)
    policy = RetryPolicy([HOUR, 2 * HOUR], block_after=HOUR)
    sender = sender_for(transport, retry_policy=policy)
    first = sender.send(make_event())
    sender.advance(minutes=30)
    second = sender.send(make_event())
    sender.advance(minutes=30)  # first's retry fails an hour after the first failure
    assert sender.blocked
    assert first.outcome is second.outcome is Outcome.BLOCKED
    assert sender.pending == 0


def test_a_success_ends_the_failing_streak() -> None:
    transport, _ = answering(500, 200, 500)
    policy = RetryPolicy([HOUR], block_after=2 * HOUR)
    sender = sender_for(transport, retry_policy=policy)
    sender.send(make_event())
    sender.run_until_idle()  # fails, then delivered on the retry
    sender.advance(hours=5)
    sender.send(make_event())
    sender.run_until_idle()
    assert not sender.blocked


# -- scenarios ---------------------------------------------------------------------------


def test_the_same_event_twice() -> None:
    transport, seen = answering(200)
    event = make_event()
    deliveries = sender_for(transport).send(event, times=2)
    assert [d.event for d in deliveries] == [event, event]
    assert [r.content for r in seen] == [event.body, event.body]


def test_the_same_event_three_times_concurrently() -> None:
    arrived = threading.Barrier(3, timeout=10)

    def handler(request: httpx.Request) -> httpx.Response:
        arrived.wait()  # only passes if all three are in flight together
        return httpx.Response(200)

    deliveries = sender_for(httpx.MockTransport(handler)).send(
        make_event(), times=3, concurrently=True
    )
    assert [d.delivered for d in deliveries] == [True, True, True]


def test_batch_shuffled_with_a_seed_repeats() -> None:
    events = [make_event(event_id=f"id-{i}") for i in range(8)]
    first = [
        d.event.event_id
        for d in sender_for(answering(200)[0]).send_batch(events, shuffle=True, seed=7)
    ]
    again = [
        d.event.event_id
        for d in sender_for(answering(200)[0]).send_batch(events, shuffle=True, seed=7)
    ]
    other = [
        d.event.event_id
        for d in sender_for(answering(200)[0]).send_batch(events, shuffle=True, seed=8)
    ]
    assert first == again
    assert sorted(first) == sorted(e.event_id for e in events)
    assert first != [e.event_id for e in events]
    assert first != other


def test_batch_delay_holds_an_event_behind_later_ones() -> None:
    transport, seen = answering(200)
    events = [make_event(event_id=f"id-{i}") for i in range(4)]
    deliveries = sender_for(transport).send_batch(events, delay={0: 2})
    order = [d.event.event_id for d in deliveries]
    assert order == ["id-1", "id-2", "id-0", "id-3"]
    assert [r.content for r in seen] == [d.event.body for d in deliveries]


def test_order_batch_rules() -> None:
    assert order_batch([0, 1, 2], shuffle=False, seed=None, delay={0: 10}) == [1, 2, 0]
    assert order_batch([0, 1, 2], shuffle=False, seed=None, delay={2: 1}) == [0, 1, 2]
    with pytest.raises(InvalidOption, match="delay index"):
        order_batch([0, 1], shuffle=False, seed=None, delay={5: 1})
    with pytest.raises(InvalidOption, match="delay for event 0"):
        order_batch([0, 1], shuffle=False, seed=None, delay={0: -1})


def test_deliveries_are_logged_and_clear_forgets_them() -> None:
    transport, _ = answering(500)
    sender = sender_for(transport)
    sender.send(make_event())
    sender.send(make_event(), times=2)
    assert sender.deliveries.count == 3
    assert sender.pending == 3
    sender.clear()
    assert sender.deliveries.count == 0
    assert sender.pending == 0


# -- bad input ---------------------------------------------------------------------------


def test_url_rules_are_checked_before_any_traffic() -> None:
    transport, seen = answering(200)
    with pytest.raises(WebhookUrlError, match="'scheme'"):
        Sender("http://receiver.test/hook", transport=transport)
    with pytest.raises(WebhookUrlError, match="'port'"):
        Sender("https://receiver.test:22/hook", transport=transport)
    assert seen == []


def test_plain_http_needs_the_explicit_opt_out() -> None:
    transport, _seen = answering(200)
    sender = Sender(
        "http://receiver.test/hook",
        transport=transport,
        insecure_http_not_ecwid=True,
    )
    assert sender.send(make_event()).delivered


@pytest.mark.parametrize(
    ("options", "match"),
    [
        pytest.param({"custom_headers": {"Bad Name": "x"}}, "custom header name", id="header-name"),
        pytest.param({"custom_headers": {"X-A": "a\r\nb"}}, "single line", id="header-crlf"),
        pytest.param({"timeouts": 5}, "timeouts", id="timeouts-number"),
        pytest.param({"retry_policy": "hourly"}, "retry policy 'hourly'", id="retry-policy-name"),
        pytest.param({"clock": "now"}, "clock", id="clock"),
        pytest.param(
            {"app": lambda e, s: [], "transport": "x"}, "one or the other", id="app-and-transport"
        ),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], match: str) -> None:
    options.setdefault("transport", answering(200)[0])
    with pytest.raises(InvalidOption, match=match):
        Sender(URL, **options)


def test_a_secret_header_value_is_not_echoed_in_errors() -> None:
    with pytest.raises(InvalidOption) as caught:
        Sender(
            URL,
            transport=answering(200)[0],
            custom_headers={"Authorization": "Bearer tok\n"},
        )
    assert "tok" not in str(caught.value)


def test_wrong_kind_of_transport() -> None:
    class AsyncOnly(httpx.AsyncBaseTransport):
        pass

    with pytest.raises(InvalidOption, match="use AsyncSender"):
        Sender(URL, transport=AsyncOnly())  # type: ignore[arg-type]
    with pytest.raises(InvalidOption, match="use Sender"):
        AsyncSender(URL, transport=httpx.HTTPTransport())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"times": 0}, "times 0", id="times-zero"),
        pytest.param({"times": True}, "times True", id="times-bool"),
    ],
)
def test_bad_send_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidOption, match=match):
        sender_for(answering(200)[0]).send(make_event(), **kwargs)


def test_concurrency_below_one_and_bad_events() -> None:
    sender = sender_for(answering(200)[0])
    with pytest.raises(InvalidOption, match="concurrency 0"):
        sender.send_many([make_event()], concurrency=0)
    with pytest.raises(InvalidOption, match=r"must be an ecwid_mock\.Event"):
        sender.send(42)  # type: ignore[call-overload]


def test_a_closed_sender_refuses_to_send() -> None:
    with sender_for(answering(200)[0]) as sender:
        pass
    with pytest.raises(InvalidOption, match="closed"):
        sender.send(make_event())


def test_timeouts_accept_httpx_timeout() -> None:
    sender = sender_for(answering(200)[0], timeouts=httpx.Timeout(5.0, connect=1.0))
    assert sender.timeouts == Timeouts(connect=1.0, response=5.0)
    assert sender_for(answering(200)[0]).timeouts == Timeouts(connect=3.0, response=10.0)


# -- in-process apps ---------------------------------------------------------------------


def make_asgi_app(
    status: int = 200, *, crash: bool = False, hang: asyncio.Event | None = None
) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if crash:
            raise RuntimeError("receiver bug")
        if hang is not None:
            await asyncio.sleep(60)
        headers = dict(scope["headers"])
        ok = verify_signature(body, headers.get(b"x-ecwid-webhook-signature", b"").decode(), SECRET)
        answer = status if ok else 401
        await send(
            {
                "type": "http.response.start",
                "status": answer,
                "headers": [(b"x-seen", scope["query_string"])],
            }
        )
        await send({"type": "http.response.body", "body": b"ok" if ok else b"bad signature"})

    return app


def make_wsgi_app(
    status: int = 200, *, crash: bool = False, hang: threading.Event | None = None
) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if crash:
            raise RuntimeError("receiver bug")
        if hang is not None:
            hang.wait(10)
        ok = verify_signature(body, environ.get("HTTP_X_ECWID_WEBHOOK_SIGNATURE"), SECRET)
        start_response(f"{status if ok else 401} X", [("x-seen", environ["QUERY_STRING"])])
        return [b"ok" if ok else b"bad signature"]

    return app


def test_a_secret_registered_after_a_delivery_is_masked_in_the_next_urls() -> None:
    """The URL a delivery reports is masked once per URL; a newer secret makes that stale."""
    from ecwid_mock._secrets import MASK, register

    value = "late-registered-url-part-Zq81"
    with Sender.for_app(make_asgi_app(), path=f"/webhooks/{value}") as sender:
        before = sender.send(make_event())
        register(value)
        after = sender.send(make_event())
    assert value in before.url
    assert value not in after.url
    assert after.url == f"https://receiver.test/webhooks/{MASK}?eventtype=order.created"


@pytest.mark.parametrize("make_app", [make_asgi_app, make_wsgi_app], ids=["asgi", "wsgi"])
def test_in_process_app_receives_what_the_network_would(make_app: Callable[..., Any]) -> None:
    with Sender.for_app(make_app()) as sender:
        delivery = sender.send(make_event())
    delivery.assert_delivered()
    assert delivery.url == "https://receiver.test/webhooks/ecwid?eventtype=order.created"
    assert ("x-seen", "eventtype=order.created") in delivery.attempts[0].response_headers
    assert delivery.attempts[0].body_excerpt == "ok"


@pytest.mark.parametrize("make_app", [make_asgi_app, make_wsgi_app], ids=["asgi", "wsgi"])
def test_in_process_app_rejects_a_forged_signature(make_app: Callable[..., Any]) -> None:
    payload = schema_for("order.created")["examples"][0]
    forged = Event.from_payload(payload, signature="AAAA", signature_mode="invalid")
    with Sender.for_app(make_app()) as sender:
        delivery = sender.send(forged)
    delivery.assert_rejected()
    delivery.assert_status(401)


@pytest.mark.parametrize("make_app", [make_asgi_app, make_wsgi_app], ids=["asgi", "wsgi"])
def test_an_app_that_crashes_answers_500(make_app: Callable[..., Any]) -> None:
    with Sender.for_app(make_app(crash=True)) as sender:
        delivery = sender.send(make_event())
    assert delivery.status_code == 500
    assert delivery.outcome is Outcome.RETRYING


def test_an_asgi_app_that_hangs_times_out() -> None:
    short = Timeouts(connect=1.0, response=0.2)
    with Sender.for_app(make_asgi_app(hang=asyncio.Event()), timeouts=short) as sender:
        delivery = sender.send(make_event())
    assert delivery.attempts[0].error == "timeout"
    assert delivery.attempts[0].reason == "no complete answer within 0.2 s"


def test_a_wsgi_app_that_hangs_times_out() -> None:
    release = threading.Event()
    short = Timeouts(connect=1.0, response=0.2)
    try:
        with Sender.for_app(make_wsgi_app(hang=release), timeouts=short) as sender:
            delivery = sender.send(make_event())
    finally:
        release.set()
    assert delivery.attempts[0].error == "timeout"


def test_for_app_checks_the_path() -> None:
    with pytest.raises(InvalidOption, match="path"):
        Sender.for_app(make_wsgi_app(), path="webhooks")


# -- AsyncSender -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_async_sender_has_the_same_behaviour() -> None:
    transport, _seen = answering(500, 500, 200)
    async with AsyncSender(URL, transport=transport) as sender:
        delivery = await sender.send(make_event())
        assert delivery.outcome is Outcome.RETRYING
        assert await sender.advance(minutes=15) == 1
        assert await sender.run_until_idle() == 1
    assert delivery.delivered
    assert [a.sent_at - DEFAULT_START for a in delivery.attempts] == [0, 15 * MIN, 30 * MIN]


@pytest.mark.asyncio
@pytest.mark.parametrize("make_app", [make_asgi_app, make_wsgi_app], ids=["asgi", "wsgi"])
async def test_async_sender_in_process(make_app: Callable[..., Any]) -> None:
    async with AsyncSender.for_app(make_app()) as sender:
        deliveries = await sender.send(make_event(), times=3, concurrently=True)
        batch = await sender.send_batch([make_event(), make_event()], shuffle=True)
    assert all(d.delivered for d in deliveries + batch)


@pytest.mark.asyncio
async def test_async_sender_app_crash_and_hang() -> None:
    short = Timeouts(connect=1.0, response=0.2)
    async with AsyncSender.for_app(make_asgi_app(crash=True)) as sender:
        assert (await sender.send(make_event())).status_code == 500
    async with AsyncSender.for_app(make_asgi_app(hang=asyncio.Event()), timeouts=short) as sender:
        assert (await sender.send(make_event())).attempts[0].error == "timeout"


# -- the sender takes Events; event types are built by MockEcwid ------------------------


def test_an_event_type_string_is_refused_with_a_pointer() -> None:
    with pytest.raises(InvalidOption, match="send event types through MockEcwid"):
        sender_for(answering(200)[0]).send("order.created")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Host": "evil.test"}, "other than Host, Content-Length and Transfer-Encoding"),
        ({"content-length": "1"}, "other than Host, Content-Length and Transfer-Encoding"),
        ({"X-Store": "caf\u00e9"}, "must be ASCII text"),
    ],
    ids=["host", "content-length", "non-ascii"],
)
def test_custom_headers_that_would_break_the_request_are_refused(
    headers: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidOption, match=message):
        Sender("https://receiver.test/hook", custom_headers=headers)
