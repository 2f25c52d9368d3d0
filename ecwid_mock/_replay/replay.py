"""Replay: turn captured deliveries back into :class:`~ecwid_mock.Event` objects for a Sender.

Ecwid signs only ``"{eventCreated}.{eventId}"``, so a scrubbed body is signed again with your
test secret without changing anything else. With ``shift_time`` the **last** recorded event
moves to the clock's now and every other one keeps its distance to it, so the spacing and order
of the capture are kept and no event lies in the future. Only the values of ``eventCreated``
(and with ``new_ids``, ``eventId``) change; every other byte of each body is kept.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from .._clock import Clock, RealClock
from .._errors import InvalidEvent, InvalidOption
from .._events.event import Event
from .._events.signing import Secret, sign
from .._schemas.problem import Problem
from .cassette import Cassette, Interaction
from .jsontext import replace_values

__all__ = ["replay_events"]

Order = Literal["recorded", "shuffled"]


def replay_events(
    cassette: Cassette | str | Path | Iterable[Interaction],
    *,
    secret: str | bytes | Secret,
    shift_time: bool = True,
    new_ids: bool = False,
    order: Order = "recorded",
    seed: int = 0,
    clock: Clock | None = None,
) -> list[Event]:
    """The cassette's deliveries as Events, signed with ``secret``, ready for ``Sender.send``.

    ``shift_time``: move ``eventCreated`` so the latest event is at ``clock.now()`` (default:
    the real clock), keeping every gap. ``new_ids``: a fresh ``eventId`` for each (drawn from
    ``seed``), for receivers that deduplicate. ``order``: ``"recorded"`` or ``"shuffled"``
    (by ``seed``). A delivery whose body is not an event raises :class:`~ecwid_mock.InvalidEvent`
    naming its cassette line.
    """
    if order not in ("recorded", "shuffled"):
        raise InvalidOption("order", order, "'recorded' or 'shuffled'", source="order=")
    if not Secret(secret):
        raise InvalidOption("secret", "", "a non-empty client secret", source="secret=")
    if isinstance(cassette, (str, Path)):
        cassette = Cassette.load(cassette)
    records = list(cassette)
    parsed = [_event_fields(record, index) for index, record in enumerate(records, start=1)]
    shift = 0
    if shift_time and parsed:
        now = int((clock or RealClock()).now())
        shift = now - max(created for _, created, _ in parsed)
    rng = random.Random(seed)
    events: list[Event] = []
    for text, created, event_id in parsed:
        changes: dict[tuple[str | int, ...], Any] = {}
        if shift:
            created += shift
            changes[("eventCreated",)] = created
        if new_ids:
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            changes[("eventId",)] = event_id
        body = replace_values(text, changes).encode("utf-8")
        payload = json.loads(body)
        events.append(
            Event(
                body=body,
                event_type=str(payload.get("eventType", "")),
                event_id=event_id,
                event_created=created,
                signature=sign(created, event_id, secret),
            )
        )
    if order == "shuffled":
        random.Random(seed).shuffle(events)
    return events


def _event_fields(record: Interaction, index: int) -> tuple[str, int, str]:
    where = f"cassette line {record.line}" if record.line is not None else f"delivery {index}"
    try:
        text = record.body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise InvalidEvent([Problem("", "body is not UTF-8 JSON")], source=where) from None
    created = payload.get("eventCreated") if isinstance(payload, dict) else None
    event_id = payload.get("eventId") if isinstance(payload, dict) else None
    if isinstance(created, bool) or not isinstance(created, int):
        raise InvalidEvent([Problem("eventCreated", "must be an integer")], source=where)
    if not isinstance(event_id, str):
        raise InvalidEvent([Problem("eventId", "must be a string")], source=where)
    return text, created, event_id
