"""Replay: captured bodies back as Events, re-signed, time-shifted with their spacing kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replay_helpers import ODD_BODY, order_body

from ecwid_mock import (
    Cassette,
    Interaction,
    InvalidEvent,
    InvalidOption,
    Sender,
    VirtualClock,
    replay_events,
    verify_signature,
)

NEW_SECRET = "replay-target-secret"


def cassette_of(*bodies: bytes) -> Cassette:
    cassette = Cassette()
    cassette.extend(Interaction(body=b) for b in bodies)
    return cassette


def three_events() -> Cassette:
    return cassette_of(
        order_body(event_id="a", created=1_700_000_000),
        order_body(event_id="b", created=1_700_000_030),
        order_body(event_id="c", created=1_700_000_100),
    )


def test_replayed_events_are_signed_with_the_new_secret() -> None:
    events = replay_events(three_events(), secret=NEW_SECRET, shift_time=False)
    assert [e.event_id for e in events] == ["a", "b", "c"]
    for event in events:
        assert verify_signature(event.body, event.signature, NEW_SECRET)
        assert not verify_signature(event.body, event.signature, "another")
        assert event.event_type == "order.created"


def test_without_shifting_the_bodies_are_the_captured_bytes() -> None:
    (event,) = replay_events(cassette_of(ODD_BODY), secret=NEW_SECRET, shift_time=False)
    assert event.body == ODD_BODY
    assert verify_signature(event.body, event.signature, NEW_SECRET)


def test_shift_time_puts_the_last_event_now_and_keeps_the_gaps() -> None:
    clock = VirtualClock(start=1_800_000_000)
    events = replay_events(three_events(), secret=NEW_SECRET, clock=clock)
    created = [e.event_created for e in events]
    assert created == [1_800_000_000 - 100, 1_800_000_000 - 70, 1_800_000_000]
    assert [json.loads(e.body)["eventCreated"] for e in events] == created
    assert all(verify_signature(e.body, e.signature, NEW_SECRET) for e in events)


def test_shift_time_changes_only_event_created() -> None:
    clock = VirtualClock(start=1_800_000_000)
    (event,) = replay_events(cassette_of(ODD_BODY), secret=NEW_SECRET, clock=clock)
    assert event.body == ODD_BODY.replace(b"1725435755", b"1800000000")


def test_new_ids_are_fresh_and_reproducible() -> None:
    first = replay_events(three_events(), secret=NEW_SECRET, new_ids=True, seed=3)
    again = replay_events(three_events(), secret=NEW_SECRET, new_ids=True, seed=3)
    ids = [e.event_id for e in first]
    assert ids == [e.event_id for e in again]
    assert len(set(ids)) == 3
    assert not set(ids) & {"a", "b", "c"}
    assert [json.loads(e.body)["eventId"] for e in first] == ids
    assert all(verify_signature(e.body, e.signature, NEW_SECRET) for e in first)


def test_shuffled_order_is_a_permutation_fixed_by_the_seed() -> None:
    ids = {
        seed: [
            e.event_id
            for e in replay_events(three_events(), secret="s", order="shuffled", seed=seed)
        ]
        for seed in range(6)
    }
    assert all(sorted(v) == ["a", "b", "c"] for v in ids.values())
    assert len({tuple(v) for v in ids.values()}) > 1
    assert ids[2] == [
        e.event_id for e in replay_events(three_events(), secret="s", order="shuffled", seed=2)
    ]


def test_a_cassette_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    Cassette(path).extend(three_events())
    assert len(replay_events(path, secret=NEW_SECRET)) == 3


def test_a_body_that_is_not_an_event_names_its_line() -> None:
    cassette = Cassette.loads(
        Interaction(body=order_body()).to_line() + "\n" + Interaction(body=b"{}").to_line()
    )
    with pytest.raises(InvalidEvent, match="cassette line 2"):
        replay_events(cassette, secret=NEW_SECRET)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"order": "random"}, "order", id="bad-order"),
        pytest.param({"secret": ""}, "secret", id="empty-secret"),
    ],
)
def test_bad_options_are_refused(options: dict[str, str], message: str) -> None:
    kwargs = {"secret": NEW_SECRET, **options}
    with pytest.raises(InvalidOption, match=message):
        replay_events(three_events(), **kwargs)  # type: ignore[arg-type]


def test_replayed_events_go_through_a_sender_and_verify_at_the_app() -> None:
    received: list[tuple[bytes, str]] = []

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        body = environ["wsgi.input"].read(int(str(environ["CONTENT_LENGTH"])))  # type: ignore[attr-defined]
        received.append((body, str(environ.get("HTTP_X_ECWID_WEBHOOK_SIGNATURE"))))
        start_response("200 OK", [])  # type: ignore[operator]
        return [b""]

    events = replay_events(three_events(), secret=NEW_SECRET)
    with Sender.for_app(app) as sender:
        for event in events:
            assert sender.send(event).delivered
    assert [body for body, _ in received] == [e.body for e in events]
    assert all(verify_signature(body, sig, NEW_SECRET) for body, sig in received)
