"""RetryPolicy: Ecwid's current and legacy schedules, custom offsets, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecwid_mock import InvalidOption, RetryPolicy
from ecwid_mock._delivery.retry import BLOCK_AFTER

MIN = 60
HOUR = 3600


def test_current_schedule_is_ecwids_table() -> None:
    policy = RetryPolicy.current()
    expected = [15 * MIN, 30 * MIN, 45 * MIN] + [h * HOUR for h in range(1, 25)]
    assert list(policy.offsets) == expected
    assert policy.retries == 27
    assert policy.max_attempts == 28
    assert policy.block_after == BLOCK_AFTER == 14 * 24 * HOUR


def test_legacy_schedule_is_every_quarter_hour_for_48_hours() -> None:
    policy = RetryPolicy.legacy()
    assert policy.offsets[:3] == (15 * MIN, 30 * MIN, 45 * MIN)
    assert policy.offsets[-1] == 48 * HOUR
    assert policy.retries == 192
    assert all(b - a == 15 * MIN for a, b in zip(policy.offsets, policy.offsets[1:]))


@pytest.mark.parametrize("name", RetryPolicy.NAMES)
def test_named_policies(name: str) -> None:
    policy = RetryPolicy.named(name)
    assert policy == getattr(RetryPolicy, name)()
    assert repr(policy) == f"RetryPolicy.{name}()"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidOption, match=r"'hourly'.*current, legacy, none"):
        RetryPolicy.named("hourly")


def test_retry_time_counts_from_the_first_attempt_then_drops() -> None:
    policy = RetryPolicy.current()
    first = 1000.0
    assert policy.retry_time(first, 1) == first + 15 * MIN
    assert policy.retry_time(first, 4) == first + 1 * HOUR
    assert policy.retry_time(first, 27) == first + 24 * HOUR
    assert policy.retry_time(first, 28) is None  # 28 attempts made: dropped


def test_none_policy_has_a_single_attempt() -> None:
    policy = RetryPolicy.none()
    assert policy.max_attempts == 1
    assert policy.retry_time(0.0, 1) is None


def test_custom_policy_accepts_timedeltas() -> None:
    policy = RetryPolicy([timedelta(minutes=1), 120], block_after=timedelta(hours=1))
    assert policy.offsets == (60.0, 120.0)
    assert policy.block_after == 3600.0
    assert "RetryPolicy([60.0, 120.0]" in repr(policy)
    assert RetryPolicy([1], block_after=None).block_after is None


@pytest.mark.parametrize(
    ("offsets", "match"),
    [
        pytest.param([30, 10], "strictly increasing", id="not-increasing"),
        pytest.param([0, 10], "above 0", id="zero-offset"),
        pytest.param([10, 10], "strictly increasing", id="repeated"),
        pytest.param(["15m"], "seconds", id="not-a-number"),
    ],
)
def test_bad_offsets(offsets: list[object], match: str) -> None:
    with pytest.raises(InvalidOption, match=match):
        RetryPolicy(offsets)  # type: ignore[arg-type]


def test_block_after_must_be_positive() -> None:
    with pytest.raises(InvalidOption, match="block_after"):
        RetryPolicy([10], block_after=0)
