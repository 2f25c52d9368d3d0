"""Delivery records: verdicts, outcomes, summaries and assertion messages."""

from __future__ import annotations

import pytest

from ecwid_mock import (
    Attempt,
    Delivery,
    DeliveryAssertionError,
    DeliverySummary,
    Event,
    Outcome,
    judge,
)
from ecwid_mock._delivery.record import ACCEPTED_STATUSES, status_failure
from ecwid_mock._events.signing import sign
from ecwid_mock._schemas.catalog import schema_for
from ecwid_mock._transports.wire import Answer, Wire

SECRET = "delivery-test-secret"


def make_event(event_type: str = "order.created") -> Event:
    payload = schema_for(event_type)["examples"][0]
    return Event.from_payload(
        payload, signature=sign(payload["eventCreated"], payload["eventId"], SECRET)
    )


def make_delivery(*attempts: Attempt, outcome: Outcome = Outcome.DROPPED) -> Delivery:
    event = make_event()
    headers = (
        ("Host", "receiver.test"),
        *event.headers.items(),
        ("X-App-Token", "********"),
    )
    delivery = Delivery(
        event=event,
        url="https://receiver.test/hook?eventtype=order.created",
        request_headers=headers,
        max_attempts=28,
    )
    delivery.attempts.extend(attempts)
    delivery.outcome = outcome
    return delivery


def attempt(number: int = 1, *, status: int | None = 500, error: str | None = None) -> Attempt:
    answer = (
        Answer(status_code=status, headers=(("content-type", "text/plain"),), body=b"oops")
        if status is not None
        else Answer.failure(error or "reset", f"{error} failure")
    )
    at = 1_725_408_000.0 + 900 * (number - 1)
    return Attempt.of(number, at, at, 0.004, answer)


def timed(duration: float, answer: Answer) -> Attempt:
    return Attempt.of(1, 0, 0, duration, answer)


@pytest.mark.parametrize("status", sorted(ACCEPTED_STATUSES))
def test_accepted_statuses(status: int) -> None:
    assert status_failure(status) is None


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        pytest.param(
            203, "status 203 is not one Ecwid accepts (only 200, 201, 202, 204, 209)", id="203"
        ),
        pytest.param(
            208, "status 208 is not one Ecwid accepts (only 200, 201, 202, 204, 209)", id="208"
        ),
        pytest.param(
            206, "status 206 is not one Ecwid accepts (only 200, 201, 202, 204, 209)", id="206"
        ),
        pytest.param(301, "redirect 301 not followed (Location: /new)", id="301"),
        pytest.param(307, "redirect 307 not followed (Location: /new)", id="307"),
        pytest.param(401, "status 401 Unauthorized", id="401"),
        pytest.param(500, "status 500 Internal Server Error", id="500"),
        pytest.param(599, "status 599", id="unknown-code"),
    ],
)
def test_refused_statuses_name_the_reason(status: int, reason: str) -> None:
    assert status_failure(status, "/new") == reason


def test_repr_explains_itself() -> None:
    delivery = make_delivery(attempt(1), attempt(2))
    text = repr(delivery)
    assert text.startswith("<Delivery order.created ")
    assert "dropped after 2 attempts: status 500 Internal Server Error>" in text


def test_repr_of_delivered_and_retrying() -> None:
    ok = make_delivery(attempt(1, status=200), outcome=Outcome.DELIVERED)
    assert "delivered on attempt 1: status 200" in repr(ok)
    waiting = make_delivery(attempt(1, status=None, error="refused"), outcome=Outcome.RETRYING)
    waiting.next_retry_at = 1_725_408_900.0
    assert "retrying after 1 attempt: refused failure; next at 2024-09-04T00:15:00Z" in repr(
        waiting
    )


def test_assert_delivered_message_lists_request_and_every_attempt() -> None:
    delivery = make_delivery(attempt(1), attempt(2, status=None, error="timeout"))
    with pytest.raises(DeliveryAssertionError) as caught:
        delivery.assert_delivered()
    message = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert f"order.created event {delivery.event.event_id} to be delivered" in message
    assert "POST https://receiver.test/hook?eventtype=order.created" in message
    assert f"X-Ecwid-Webhook-Signature: {delivery.event.signature}" in message
    assert "X-App-Token: ********" in message
    assert "#1 due +0 (2024-09-04T00:00:00Z)" in message
    assert "status 500 Internal Server Error; body 'oops'" in message
    assert "#2 due +15m" in message
    assert "timeout failure" in message
    assert SECRET not in message


def test_assert_delivered_passes_when_delivered() -> None:
    make_delivery(attempt(1, status=200), outcome=Outcome.DELIVERED).assert_delivered()


def test_assert_rejected_needs_an_http_answer() -> None:
    make_delivery(attempt(1, status=401)).assert_rejected()
    with pytest.raises(DeliveryAssertionError, match="to be rejected"):
        make_delivery(attempt(1, status=None, error="refused")).assert_rejected()
    with pytest.raises(DeliveryAssertionError, match="was delivered on attempt 1"):
        make_delivery(attempt(1, status=204), outcome=Outcome.DELIVERED).assert_rejected()


def test_assert_status() -> None:
    delivery = make_delivery(attempt(1, status=403))
    delivery.assert_status(403)
    with pytest.raises(DeliveryAssertionError, match="to get status 401"):
        delivery.assert_status(401)


def test_summary_counts_outcomes_and_percentiles() -> None:
    summary = DeliverySummary()
    for i in range(100):
        d = make_delivery(
            timed((i + 1) / 1000, Answer(status_code=200)),
            outcome=Outcome.DELIVERED,
        )
        summary.add(d)
    summary.add(make_delivery(attempt(1), outcome=Outcome.RETRYING))
    assert summary.total == 101
    assert summary.delivered == 100
    assert summary.by_outcome["retrying"] == 1
    assert not summary.all_delivered
    assert summary.attempts == 101
    assert summary.p50 == pytest.approx(0.050, rel=0.03)
    assert summary.p99 == pytest.approx(0.099, rel=0.03)
    assert summary.reasons == {"status 500 Internal Server Error": 1}
    data = summary.as_dict()
    assert data["outcomes"]["delivered"] == 100
    assert data["budget_s"] == 10.0
    assert ("total", "101") in summary.rows()


def test_summary_counts_attempts_over_the_budget() -> None:
    slow = timed(10.5, Answer.failure("timeout", "x"))
    summary = DeliverySummary([make_delivery(slow)])
    assert summary.over_budget == 1
    assert summary.p95 == 10.5  # never above the maximum


def test_a_short_configured_timeout_is_not_over_ecwids_budget() -> None:
    quick = timed(1.02, Answer.failure("timeout", "x"))
    assert DeliverySummary([make_delivery(quick)]).over_budget == 0


def test_empty_summary() -> None:
    summary = DeliverySummary()
    assert summary.p50 is None
    assert summary.rate is None
    assert "empty" in repr(summary)


@pytest.mark.parametrize("cls", [Event, Answer, Attempt, Wire], ids=lambda c: c.__name__)
def test_hand_written_init_takes_every_field_in_order(cls: type) -> None:
    """These frozen records set their fields in one write; the dataclass still describes them."""
    import dataclasses
    import inspect

    fields = [f.name for f in dataclasses.fields(cls)]
    parameters = list(inspect.signature(cls.__init__).parameters)[1:]
    assert parameters == fields
    defaults = {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }
    signature = inspect.signature(cls.__init__).parameters
    assert {n: signature[n].default for n in defaults} == defaults


def test_records_stay_frozen_and_comparable() -> None:
    answer = Answer(status_code=200, headers=(("a", "b"),))
    attempt = Attempt(1, 0.0, 0.0, 0.1, answer, judge(200))
    assert answer == Answer(200, "", "", (("a", "b"),))
    assert attempt == Attempt(1, 0.0, 0.0, 0.1, Answer(status_code=200, headers=(("a", "b"),)),
                              judge(200))  # fmt: skip
    assert hash(answer) == hash(Answer(status_code=200, headers=(("a", "b"),)))
    with pytest.raises(AttributeError):
        answer.status_code = 500  # type: ignore[misc]
    with pytest.raises(AttributeError):
        attempt.number = 2  # type: ignore[misc]
    assert "status_code=200" in repr(answer)
