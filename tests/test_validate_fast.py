"""The fast path of validate_event (one is_valid on a guard) against the full path.

The guard states the input limits in its schema instead of walking the value; these tests show
it gives the full path's verdict and message for valid payloads, for invalid ones, and for
hostile Python values put where a valid value belongs.
"""

from __future__ import annotations

import collections
import copy
import decimal
import enum
import math
from types import MappingProxyType
from typing import Any

import pytest
from conftest import deep_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecwid_mock
from ecwid_mock._checks import MAX_JSON_DEPTH
from ecwid_mock._schemas import catalog
from ecwid_mock._schemas import validate as _validate

EXAMPLES = {t: catalog.schema_for(t)["examples"][0] for t in ecwid_mock.EVENT_TYPES}


class Colour(enum.Enum):
    PAID = "PAID"
    NESTED = {"a": {1, 2}}  # noqa: RUF012 - an Enum value, not a class attribute


class Status(str, enum.Enum):
    PAID = "PAID"


class Text(str):
    pass


class Number(int):
    pass


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except ecwid_mock.InvalidEvent as exc:
        return "refused", str(exc)


def _full(payload: Any, strict: bool) -> tuple[str, Any]:
    """The verdict without the fast path: the limit walk, then the engines."""
    return _outcome(lambda: _validate._validated(payload, strict, "a test")[1])


def _fast(payload: Any, strict: bool) -> tuple[str, Any]:
    return _outcome(lambda: ecwid_mock.validate_event(payload, strict=strict, source="a test"))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**99, 10**100]),
    st.sampled_from([5000, -5000]).map(lambda n: 10 ** abs(n) * (1 if n > 0 else -1)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["\udc80", "ok\ud800", "PAID", "order.created", ""]),
    st.sampled_from(list(Colour) + list(Status)),
    st.sampled_from([Text("PAID"), Number(5), decimal.Decimal("1.5"), decimal.Decimal("NaN")]),
    st.sampled_from([b"x", bytearray(b"x"), {1, 2}, frozenset(), 1j, object()]),
)
hostile = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(
            st.one_of(st.text(max_size=4), st.integers(), st.sampled_from(["\udc80", Text("k")])),
            children,
            max_size=3,
        ),
        st.dictionaries(st.text(max_size=4), children, max_size=2).map(collections.OrderedDict),
    ),
    max_leaves=8,
) | st.sampled_from([deep_dict(MAX_JSON_DEPTH - 3), deep_dict(MAX_JSON_DEPTH + 1)])


def _member(value: object, mixin: type | None = None) -> object:
    """An Enum member (of a new class mixing in ``mixin``) whose value is ``value``."""
    make: Any = enum.Enum  # the functional API, which mypy reads only with a literal name
    return make("Member", {"M": value}, type=mixin).M


def _lookalikes(value: object) -> list[object]:
    """Python values that read as ``value`` (or nearly) but are not plain JSON."""
    member = _member(value)
    if isinstance(value, str):
        text = _member(value, str)
        return [member, text, Text(value), value + "\udc80", "\ud800" + value, value.encode()]
    if isinstance(value, int) and not isinstance(value, bool):
        number = _member(value, int)
        huge = value + 10**5000
        return [member, number, Number(value), decimal.Decimal(value), float(value), huge, True]
    if isinstance(value, dict):
        mixed = {**value, 7: "x"}
        return [member, collections.OrderedDict(value), mixed, MappingProxyType(value)]
    return [member]


@st.composite
def payloads(draw: st.DrawFn, event_type: str | None = None) -> dict[str, Any]:
    """An example payload of ``event_type`` (else any type), whole or changed in one place."""
    chosen = event_type or draw(st.sampled_from(sorted(EXAMPLES)))
    payload: dict[str, Any] = copy.deepcopy(EXAMPLES[chosen])
    containers = [payload] + [v for v in payload.values() if isinstance(v, dict)]
    target = draw(st.sampled_from(containers))
    how = draw(st.sampled_from(["keep", "replace", "lookalike", "add", "delete"]))
    if how in ("replace", "lookalike") or (how == "delete" and target):
        key = draw(st.sampled_from(sorted(target)))
        if how == "delete":
            del target[key]
        elif how == "lookalike":
            target[key] = draw(st.sampled_from(_lookalikes(target[key])))
        else:
            target[key] = draw(hostile)
    elif how == "add":
        target[draw(st.one_of(st.text(max_size=5), st.integers(), st.just("\udc80")))] = draw(
            hostile
        )
    return payload


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=payloads(), strict=st.booleans())
def test_the_fast_path_gives_the_full_paths_verdict_and_message(
    payload: dict[str, Any], strict: bool
) -> None:
    expected = _full(payload, strict)
    assert _fast(payload, strict) == expected
    if _validate._passes_guard(payload):
        assert expected[0] == "ok", "the guard let through what the full path refuses"


def _accepts(validator: Any, payload: Any) -> bool:
    try:
        return bool(validator.is_valid(payload))
    except Exception:  # a value jsonschema-rs cannot read (a lone surrogate): not accepted
        return False


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), event_type=st.sampled_from(sorted(EXAMPLES)))
def test_the_flat_strict_validator_gives_the_strict_schemas_verdict(
    data: st.DataObject, event_type: str
) -> None:
    """What the factory checks its events with: the strict schema flattened, no limits."""
    payload = data.draw(payloads(event_type))
    written = _validate._fast((event_type, True))
    flat = _validate.strict_validator(event_type)
    assert _accepts(flat, payload) == _accepts(written, payload)


def test_the_flat_strict_validator_accepts_each_example_and_refuses_a_stranger() -> None:
    for event_type in ecwid_mock.EVENT_TYPES:
        flat = _validate.strict_validator(event_type)
        example = catalog.schema_for(event_type, strict=True)["examples"][0]
        assert flat.is_valid(example), event_type
        assert not flat.is_valid({**example, "unknownField": 1}), event_type
        assert not flat.is_valid({k: v for k, v in example.items() if k != "eventId"}), event_type


def test_every_event_type_has_a_guard() -> None:
    """Every schema is closed and typed all the way down, so no type misses the fast path."""
    for event_type in catalog.all_event_types():
        assert _validate._guard_schema(event_type) is not None, event_type


def test_valid_payloads_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a valid dict must not need the full path")

    monkeypatch.setattr(_validate, "_validated", refuse)
    for event_type, example in EXAMPLES.items():
        for strict in (False, True):
            assert ecwid_mock.validate_event(example, strict=strict) == example, event_type
            assert ecwid_mock.validate_event(example, strict=strict) is not example


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        pytest.param(
            ("data", "orderId"),
            "\udc80",
            "data.orderId: not acceptable JSON: a string with a lone surrogate at 0 (not UTF-8)",
            id="surrogate-in-a-string-field",
        ),
        pytest.param(
            ("storeId",),
            10**5000,
            "storeId: not acceptable JSON: an integer of more than 100 digits",
            id="huge-int-in-an-integer-field",
        ),
        pytest.param(
            ("entityId",),
            math.inf,
            "entityId: not acceptable JSON: inf (JSON has no NaN or infinity)",
            id="infinity",
        ),
        pytest.param(
            ("data", "extra"),
            deep_dict(MAX_JSON_DEPTH + 5),
            f"nested more than {MAX_JSON_DEPTH} levels deep",
            id="deep-unknown-field",
        ),
        pytest.param(
            ("data", "extra"),
            {1: "a"},
            "data.extra: not acceptable JSON: a key 1 of type int (JSON keys are strings)",
            id="int-key-in-an-unknown-field",
        ),
        pytest.param(
            ("data", "\udc80"),
            "x",
            "data: not acceptable JSON: a key with a lone surrogate at 0 (not UTF-8)",
            id="surrogate-key",
        ),
    ],
)
def test_a_hostile_value_in_a_valid_place_is_refused_in_one_line(
    place: tuple[str, ...], value: object, message: str
) -> None:
    payload = copy.deepcopy(EXAMPLES["order.created"])
    target = payload
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    with pytest.raises(ecwid_mock.InvalidEvent) as caught:
        ecwid_mock.validate_event(payload, source="a test")
    text = str(caught.value)
    assert "\n" not in text.splitlines()[0]
    assert message in text, text
    assert "a test" in text


def test_python_values_read_as_json_are_accepted_as_the_engine_reads_them() -> None:
    payload = copy.deepcopy(EXAMPLES["order.created"])
    payload["data"]["newPaymentStatus"] = Colour.PAID
    payload["storeId"] = decimal.Decimal(1003)
    payload["data"]["orderId"] = Status.PAID
    assert ecwid_mock.validate_event(payload, strict=True)["storeId"] == 1003
    payload["data"]["newPaymentStatus"] = Colour.NESTED  # stands for a value with a set in it
    assert not ecwid_mock.is_valid_event(payload)
