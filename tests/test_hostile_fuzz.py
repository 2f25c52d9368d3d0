"""Arbitrary bytes and JSON thrown at the entry points: only ecwid-mock's own errors come out.

validate_event, verify_signature and sign in Python; validate, verify and sign on the command
line (exit 0, 1 or 2 and, for 2, one line on stderr; never a traceback or an "unexpected"
bug line).
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecwid_mock
from ecwid_mock import EcwidMockError, InvalidEvent
from ecwid_mock._cli import main

SECRET = "fuzz-client-secret"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
#: Python values a caller may hand over instead of JSON: odd keys, sets, bytes, deep nesting.
foreign_values = st.recursive(
    json_values | st.binary(max_size=20) | st.sets(st.integers(), max_size=3),
    lambda children: (
        st.dictionaries(
            st.one_of(st.text(max_size=4), st.integers(), st.none()), children, max_size=3
        )
        | st.lists(children, max_size=3)
    ),
    max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {
        "eventId": st.one_of(st.text(), st.integers()),
        "eventCreated": st.one_of(st.integers(), st.floats(), st.text()),
        "eventType": st.one_of(st.sampled_from(["order.created", "product.updated"]), st.text()),
        "storeId": st.one_of(st.integers(), st.text()),
        "entityId": st.one_of(st.integers(), st.text()),
    },
    optional={"data": json_values},
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    json_values.map(lambda v: json.dumps(v, allow_nan=True)),
    envelopes.map(lambda v: json.dumps(v, allow_nan=True)),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 6000).map(lambda n: '{"eventCreated": ' + "7" * n + "}"),
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _as_bytes(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")


@FUZZ
@given(payload=st.one_of(bodies, foreign_values, envelopes), strict=st.booleans())
def test_validate_event_raises_only_invalid_event(payload: Any, strict: bool) -> None:
    try:
        result: Any = ecwid_mock.validate_event(payload, strict=strict)
    except InvalidEvent as exc:
        result = exc
    assert isinstance(result, (dict, InvalidEvent))


@FUZZ
@given(body=st.one_of(bodies, st.binary()), signature=st.one_of(st.none(), st.text(), st.binary()))
def test_verify_signature_answers_false_not_an_exception(body: Any, signature: Any) -> None:
    assert ecwid_mock.verify_signature(body, signature, SECRET) in (True, False)


@FUZZ
@given(
    created=st.one_of(st.integers(), st.floats(), st.text(), st.none(), st.booleans()),
    event_id=st.one_of(st.text(), st.integers(), st.none()),
)
def test_sign_signs_or_refuses_with_invalid_option(created: Any, event_id: Any) -> None:
    try:
        signature = ecwid_mock.sign(created, event_id, SECRET)
    except EcwidMockError as exc:
        signature = str(exc)
        assert "\n" not in signature
    else:
        assert len(signature) == 44


def _cli(argv: list[str], data: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        code = main(argv)
    finally:
        sys.stdin = stdin
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "-"],
        ["validate", "--strict", "-"],
        ["verify", "--client-secret", SECRET, "--signature", "x", "-"],
        ["sign", "--client-secret", SECRET, "-"],
    ],
    ids=["validate", "validate-strict", "verify", "sign"],
)
@FUZZ
@given(data=st.one_of(st.binary(max_size=300), bodies.map(_as_bytes)))
def test_the_command_line_answers_every_input_in_its_own_words(
    argv: list[str], data: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _cli(argv, data, capsys)
    assert code in (0, 1, 2)
    assert "Traceback" not in text
    assert "a bug in ecwid-mock" not in text, text  # the catch-all would mean a bug
