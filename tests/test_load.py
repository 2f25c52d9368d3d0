"""The pure parts of load runs (ecwid_mock._load): the compressed retry schedule, the retry
heap, the backlog after an outage and the ledger. None of this imports Locust."""

from __future__ import annotations

import pytest

from ecwid_mock import InvalidOption, RetryPolicy, contract
from ecwid_mock._load.ledger import Ledger, LedgerBook, Thresholds, judge_run
from ecwid_mock._load.schedule import CompressedSchedule, RetryHeap, policy_offsets
from ecwid_mock._load.storm import backlog_size, rate_multipliers, storm_backlog

CURRENT = CompressedSchedule.named("current")  # 3600: one real second per Ecwid hour


# -- the compressed schedule ------------------------------------------------------------


def test_policy_offsets_come_from_the_contract() -> None:
    assert policy_offsets("current") == contract().retry_offsets["current"]
    assert policy_offsets("legacy") == contract().retry_offsets["legacy"]
    assert policy_offsets("none") == ()


def test_unknown_policy_names_the_choices() -> None:
    with pytest.raises(InvalidOption, match=r"'hourly'.*--ecwid-retry-policy.*current, legacy"):
        policy_offsets("hourly", source="--ecwid-retry-policy")


def test_delays_are_ecwid_offsets_divided_by_the_time_scale() -> None:
    offsets = contract().retry_offsets["current"]
    assert CURRENT.max_attempts == len(offsets) + 1
    assert CURRENT.delay(1) == pytest.approx(offsets[0] / 3600)  # 15 min -> 0.25 s
    assert CURRENT.delay(len(offsets)) == pytest.approx(24.0)  # the last retry, 24 h -> 24 s
    assert CURRENT.span == pytest.approx(24.0)
    assert CURRENT.delay(len(offsets) + 1) is None  # every attempt made: dropped
    assert CURRENT.delay(0) is None


def test_next_due_agrees_with_retry_policy_at_any_scale() -> None:
    policy = RetryPolicy.current()
    for scale in (1.0, 60.0, 3600.0):
        schedule = CompressedSchedule.named("current", scale)
        for made in range(1, policy.max_attempts + 1):
            expected = policy.retry_time(0.0, made)
            due = schedule.next_due(100.0, made)
            if expected is None:
                assert due is None
            else:
                assert due == pytest.approx(100.0 + expected / scale)


def test_attempts_before_counts_the_first_attempt_and_past_retries() -> None:
    assert CURRENT.attempts_before(0.0) == 1
    assert CURRENT.attempts_before(0.3) == 2  # the 15-minute retry is behind it
    assert CURRENT.attempts_before(1.5) == 5  # 15, 30, 45 min and 1 h
    assert CURRENT.attempts_before(30.0) == CURRENT.max_attempts


@pytest.mark.parametrize("scale", [0, -1.0, float("inf"), float("nan"), True])
def test_time_scale_must_be_positive_and_finite(scale: float) -> None:
    with pytest.raises(InvalidOption, match="time_scale"):
        CompressedSchedule((900.0,), scale)


# -- the retry heap ---------------------------------------------------------------------


def test_heap_gives_due_retries_earliest_first_and_ties_in_order() -> None:
    heap: RetryHeap[str] = RetryHeap()
    heap.push(2.0, "late")
    heap.push(1.0, "first")
    heap.push(1.0, "second")
    assert heap.next_due() == 1.0
    assert list(heap) == ["first", "second", "late"]
    assert heap.pop_due(0.5) is None
    assert [heap.pop_due(1.5), heap.pop_due(1.5), heap.pop_due(1.5)] == ["first", "second", None]
    assert len(heap) == 1
    assert heap.pop_due(2.0) == "late"
    assert heap.next_due() is None


# -- the storm after an outage ----------------------------------------------------------


def test_six_hour_backlog_is_six_hours_of_traffic_due_within_the_first_hour() -> None:
    rate = 1000.0  # events per real second = per Ecwid hour on this clock
    backlog = list(storm_backlog(6, rate, CURRENT))
    assert backlog_size(6, rate, CURRENT) == len(backlog) == 6000
    assert max(event.due_after for event in backlog) < 1.0  # one Ecwid hour
    first_hour = rate_multipliers(backlog, rate, bucket=1.0, buckets=1)[0]
    assert first_hour == pytest.approx(7.0)  # the normal rate plus 6x from the backlog
    per_minute = rate_multipliers(backlog, rate, bucket=1 / 60, buckets=60)
    assert per_minute[0] == pytest.approx(10.0, abs=0.5)  # 15-min and hourly retries meet
    assert per_minute[30] == pytest.approx(6.0, abs=0.5)  # hourly retries of older events


def test_each_backlog_event_waits_for_its_next_attempt_of_the_real_schedule() -> None:
    policy = RetryPolicy.current()
    for event in storm_backlog(30, 10.0, CURRENT):
        assert event.attempts_made == CURRENT.attempts_before(event.age)
        due = policy.retry_time(0.0, event.attempts_made)
        assert due is not None
        assert event.due_after == pytest.approx(due / 3600 - event.age)
        assert event.due_after >= 0


def test_events_older_than_the_schedule_were_dropped_during_the_outage() -> None:
    backlog = list(storm_backlog(30, 10.0, CURRENT))
    assert backlog_size(30, 10.0, CURRENT) == 300
    assert len(backlog) == 240  # only the last 24 hours are still retried
    assert max(event.age for event in backlog) < 24.0


def test_shares_split_the_backlog_without_overlap() -> None:
    whole = {event.number for event in storm_backlog(6, 50.0, CURRENT)}
    parts = [
        {e.number for e in storm_backlog(6, 50.0, CURRENT, share=k, shares=3)} for k in range(3)
    ]
    assert set().union(*parts) == whole
    assert sum(len(part) for part in parts) == len(whole)


@pytest.mark.parametrize(("hours", "rate"), [(0, 10.0), (6, 0), (6, -1.0), (float("nan"), 1.0)])
def test_storm_needs_a_positive_outage_and_rate(hours: float, rate: float) -> None:
    with pytest.raises(InvalidOption):
        list(storm_backlog(hours, rate, CURRENT))


# -- the ledger -------------------------------------------------------------------------

THRESHOLDS = Thresholds(min_delivered=0.99, max_p95=10.0)


def test_ledgers_add_up_and_balance() -> None:
    a = Ledger(sent=10, delivered=7, dropped=1, pending=2, attempts=15, retries=5)
    b = Ledger(sent=5, delivered=5, attempts=5)
    total = Ledger.total([a, b])
    assert total == Ledger(sent=15, delivered=12, dropped=1, pending=2, attempts=20, retries=5)
    assert total.balanced
    assert Ledger.from_dict(total.as_dict()) == total
    assert not Ledger(sent=3, delivered=1).balanced
    assert "sent 3 != delivered 1" in Ledger(sent=3, delivered=1).line()


def test_attempts_cut_off_by_the_stop_stay_pending_but_do_not_count_against_the_ratio() -> None:
    ledger = Ledger(sent=100, delivered=98, pending=2, attempts=98, interrupted=2)
    assert ledger.balanced
    assert ledger.delivered_ratio == 1.0
    assert judge_run(ledger, THRESHOLDS, p95=0.01) == []
    assert "2 cut off by the stop" in ledger.line()
    waiting = Ledger(sent=100, delivered=98, pending=2, attempts=100)  # retries due later
    assert judge_run(waiting, THRESHOLDS, p95=0.01) != []


def test_a_worker_report_with_a_bad_count_is_refused() -> None:
    with pytest.raises(InvalidOption, match="ledger sent"):
        Ledger.from_dict({"sent": -1})


def test_the_book_keeps_each_workers_latest_ledger() -> None:
    book = LedgerBook()
    book.record("w1", Ledger(sent=5, pending=5), final=False)
    book.record("w2", Ledger(sent=3, delivered=3), final=True)
    book.record("w1", Ledger(sent=9, delivered=9), final=True)  # replaces, never adds
    assert book.total() == Ledger(sent=12, delivered=12)
    assert book.missing_final() == []
    book.record("w3", Ledger(), final=False)
    assert book.missing_final() == ["w3"]
    assert book.missing_final(expected=["w1", "w4"]) == ["w3", "w4"]  # w4 never reported


def test_a_balanced_delivered_run_passes() -> None:
    assert judge_run(Ledger(sent=100, delivered=100), THRESHOLDS, p95=0.01) == []


@pytest.mark.parametrize(
    ("ledger", "p95", "missing", "reason"),
    [
        pytest.param(Ledger(sent=100, delivered=99), 0.1, (), "does not balance", id="unbalanced"),
        pytest.param(
            Ledger(sent=100, delivered=50, pending=50), 0.1, (), "delivered 50 of 100", id="ratio"
        ),
        pytest.param(Ledger(sent=10, delivered=10), 10.5, (), "p95 response time", id="p95"),
        pytest.param(Ledger(), None, (), "no event was sent", id="nothing-sent"),
        pytest.param(Ledger(sent=1, delivered=1), 0.1, ("w9",), "worker(s) w9", id="no-final"),
    ],
)
def test_a_run_fails_for_each_reason(
    ledger: Ledger, p95: float | None, missing: tuple[str, ...], reason: str
) -> None:
    problems = judge_run(ledger, THRESHOLDS, p95=p95, missing_final=missing)
    assert len(problems) == 1
    assert reason in problems[0]


def test_thresholds_are_checked() -> None:
    with pytest.raises(InvalidOption, match="minimum delivered ratio"):
        Thresholds(min_delivered=1.5, max_p95=10.0)
    with pytest.raises(InvalidOption, match="maximum p95"):
        Thresholds(min_delivered=0.5, max_p95=0)
