"""Validation speed against the engine it runs on, and the cost of ``import ecwid_mock``.

V1  validate_event(dict) >= 0.7x a bare ``jsonschema_rs`` ``is_valid`` loop with reused
    validators over the same payloads (the physical limit: the same engine, no wrapper).
V1b validate_event(body bytes) against bare ``json.loads`` + ``is_valid`` (informational).
V2  parse_event(body, type) >= 0.95x validate_event(body) over the same bodies, in 41 short
    rounds (the same engine plus one check: the ratio needs pairs close in time).
I1  ``import ecwid_mock`` <= 30 ms above ``python -c pass``.

Run: python benchmarks/bench_validate.py [--quick] [--row V1]
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _harness import (
    Row,
    RowMaker,
    Settings,
    compare,
    cpu_ms,
    excess_at_most,
    main,
    rate,
    ratio_at_least,
)


def _payloads() -> list[dict[str, Any]]:
    import ecwid_mock

    return [ecwid_mock.schema_for(t)["examples"][0] for t in ecwid_mock.EVENT_TYPES]


def _bare_validators(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    import jsonschema_rs

    import ecwid_mock

    return {
        p["eventType"]: jsonschema_rs.Draft202012Validator(ecwid_mock.schema_for(p["eventType"]))
        for p in payloads
    }


def _loop(check: Any, items: list[Any], repeat: int) -> Any:
    def work() -> int:
        for _ in range(repeat):
            for item in items:
                check(item)
        return repeat * len(items)

    return lambda: rate(work)


def validate_rows(settings: Settings) -> list[Row]:
    """V1 validate_event vs bare jsonschema_rs is_valid; V2 parse_event vs validate_event"""
    import ecwid_mock

    payloads = _payloads()
    bodies = [json.dumps(p).encode() for p in payloads]
    validators = _bare_validators(payloads)
    for p in payloads:  # every validator built before any timing
        ecwid_mock.validate_event(p)
    repeat = settings.pick(500, 150)

    def bare_dict(p: dict[str, Any]) -> bool:
        return bool(validators[p["eventType"]].is_valid(p))

    def bare_bytes(body: bytes) -> bool:
        p = json.loads(body)
        return bool(validators[p["eventType"]].is_valid(p))

    typed = [(body, p["eventType"]) for body, p in zip(bodies, payloads)]
    unit = "validations/s"
    return [
        compare(
            "V1",
            ("validate_event(dict), 42 types mixed", unit,
             _loop(ecwid_mock.validate_event, payloads, repeat)),
            ("bare jsonschema_rs is_valid, reused validators", unit,
             _loop(bare_dict, payloads, repeat)),
            settings.rounds,
            ratio_at_least(0.7),
        ),
        compare(
            "V1b",
            ("validate_event(body bytes), 42 types mixed", unit,
             _loop(ecwid_mock.validate_event, bodies, repeat)),
            ("bare json.loads + jsonschema_rs is_valid", unit, _loop(bare_bytes, bodies, repeat)),
            settings.rounds,
        ),
        # Two near-equal figures (the same engine, one more check): many short rounds, so
        # each pair of samples sees the same second of a machine whose speed drifts.
        compare(
            "V2",
            ("parse_event(body, type), 42 types mixed", unit,
             _loop(lambda i: ecwid_mock.parse_event(i[0], i[1]), typed, repeat // 5)),
            ("validate_event(body), the same bodies", unit,
             _loop(lambda i: ecwid_mock.validate_event(i[0]), typed, repeat // 5)),
            settings.pick(41, 11),
            ratio_at_least(0.95),
        ),
    ]  # fmt: skip


def import_rows(settings: Settings) -> list[Row]:
    """I1 import ecwid_mock vs python -c pass"""
    rounds = settings.pick(15, 5)
    return [
        compare(
            "I1",
            ("import ecwid_mock", "ms CPU", cpu_ms([sys.executable, "-c", "import ecwid_mock"])),
            ("python -c pass", "ms CPU", cpu_ms([sys.executable, "-c", "pass"])),
            rounds,
            excess_at_most(30, "ms"),
        )
    ]


ROWS: dict[str, RowMaker] = {"V1": validate_rows, "I1": import_rows}

if __name__ == "__main__":
    sys.exit(main(ROWS))
