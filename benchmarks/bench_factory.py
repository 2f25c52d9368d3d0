"""Event factory speed and memory, against the floor of any generator that serialises and signs.

P1  stream(), all types mixed, built + validated (strict) + serialised + signed
    >= 80,000 events/s, or >= 0.6x the bare floor: a loop of a cached C JSON encoder and
    ``hmac.digest`` over the same 42 example payloads (no building, no validation).
P1b stream(validate=False) against the same floor (informational: what validation costs).
F1  EventFactory() construction <= 100 us (Faker is lazy), anchored on one floor event.
F2  stream() of 1,000,000 events in a fresh interpreter: peak RSS flat (<= 5 MB growth from
    100,000 to 1,000,000), measured with /usr/bin/time -v.

Run: python benchmarks/bench_factory.py [--quick] [--row P1]
"""

from __future__ import annotations

import binascii
import hmac
import itertools
import json
import sys
from collections.abc import Callable, Sequence

from _harness import (
    Row,
    RowMaker,
    Settings,
    compare,
    flat_memory_rows,
    main,
    rate,
    ratio_at_least,
    value_at_least,
    value_at_most,
)

SECRET = "bench-secret"

_STREAM_CHILD = """
import sys
from ecwid_mock import EventFactory
for _ in EventFactory(seed=1, client_secret="bench-secret").stream(int(sys.argv[1])):
    pass
"""


def _floor(batch: int) -> Callable[[], float]:
    """Serialise (one cached C encoder) and sign (hmac, base64) the 42 example payloads."""
    import ecwid_mock

    payloads = [ecwid_mock.schema_for(t)["examples"][0] for t in ecwid_mock.EVENT_TYPES]
    key = SECRET.encode()
    default = json.JSONEncoder().default
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    encode = make(None, default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    mixed = list(itertools.islice(itertools.cycle(payloads), batch))

    def work() -> int:
        for payload in mixed:
            "".join(encode(payload, 0)).encode()
            message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
            binascii.b2a_base64(hmac.digest(key, message, "sha256"), newline=False).decode()
        return batch

    return lambda: rate(work)


def _stream(batch: int, *, validate: bool) -> Callable[[], float]:
    from ecwid_mock import EventFactory

    stream = EventFactory(seed=1, client_secret=SECRET).stream(validate=validate)
    next(stream)  # plans and validators are built on first use, not measured

    def work() -> int:
        for _ in itertools.islice(stream, batch):
            pass
        return batch

    return lambda: rate(work)


def stream_rows(settings: Settings) -> list[Row]:
    """P1 factory stream vs bare serialise+sign floor"""
    batch = settings.pick(20_000, 5_000)
    unit = "events/s"
    floor = ("bare cached-encoder + hmac loop, same payloads", unit, _floor(batch))
    return [
        compare(
            "P1",
            ("stream(): built+validated+serialised+signed, mixed", unit,
             _stream(batch, validate=True)),
            floor,
            settings.rounds,
            value_at_least(80_000, unit) | ratio_at_least(0.6),
        ),
        compare(
            "P1b",
            ("stream(validate=False), mixed", unit, _stream(batch, validate=False)),
            floor,
            settings.rounds,
        ),
    ]  # fmt: skip


def construction_rows(settings: Settings) -> list[Row]:
    """F1 EventFactory() construction"""
    from ecwid_mock import EventFactory

    seeds = itertools.count()
    per_floor = _floor(1000)

    def construct() -> int:
        for _ in range(200):
            EventFactory(seed=next(seeds))
        return 200

    def construct_us() -> float:
        return 1e6 / rate(construct)

    return [
        compare(
            "F1",
            ("EventFactory() construction", "us", construct_us),
            ("one bare serialise+sign", "us", lambda: 1e6 / per_floor()),
            settings.rounds,
            value_at_most(100, "us"),
        )
    ]


def memory_rows(settings: Settings) -> list[Row]:
    """F2 stream() memory in a fresh interpreter"""
    count = settings.pick(1_000_000, 200_000)

    def command(n: int) -> Sequence[str]:
        return [sys.executable, "-c", _STREAM_CHILD, str(n)]

    return flat_memory_rows(
        "F2", "EventFactory.stream()", command, count, peak_goal=None, growth_mb=5
    )


ROWS: dict[str, RowMaker] = {"P1": stream_rows, "F1": construction_rows, "F2": memory_rows}


if __name__ == "__main__":
    sys.exit(main(ROWS))
