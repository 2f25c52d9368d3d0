"""The input boundary's checks one rule at a time (the tables per face: test_hostile_inputs)."""

from __future__ import annotations

import decimal
import enum
import json
import math

import pytest

from ecwid_mock import InvalidOption
from ecwid_mock._checks import (
    MAX_JSON_DEPTH,
    check_host,
    check_number,
    check_text,
    json_problem,
    loads_json,
)
from ecwid_mock._cli import main


class _Member(enum.Enum):
    TEXT = "PAID"
    SET = {1, 2}  # noqa: RUF012 - an Enum value, not a class attribute


class _Text(str):
    pass


def test_many_shallow_brackets_are_not_deep() -> None:
    text = json.dumps({"items": [[i] for i in range(MAX_JSON_DEPTH * 3)], "s": "[[[[" * 40})
    assert loads_json(text)["items"][-1] == [MAX_JSON_DEPTH * 3 - 1]


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"s": "[" * (MAX_JSON_DEPTH * 4)})
    assert loads_json(text)["s"].startswith("[[")


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        pytest.param({"a": [1, {"b": "\udc80"}]}, "a[1].b", "lone surrogate", id="surrogate"),
        pytest.param([1, [2, math.inf]], "[1][1]", "no NaN", id="inf-in-list"),
        pytest.param({"a": (1, b"x")}, "a[1]", "bytes", id="bytes-in-tuple"),
        pytest.param({"a": {"b": 10**400}}, "a.b", "100 digits", id="long-int"),
        pytest.param("\udc80", "", "lone surrogate", id="top-level-string"),
        pytest.param(10**400, "", "100 digits", id="top-level-int"),
        pytest.param({"a": {"\udc80": 1}}, "a", "key with a lone surrogate", id="surrogate-key"),
        pytest.param({"a": [decimal.Decimal("NaN")]}, "a[0]", "no NaN", id="decimal-nan"),
        pytest.param({"a": _Member.SET}, "a", "a set", id="enum-standing-for-a-set"),
    ],
)
def test_json_problem_names_the_path(value: object, path: str, reason: str) -> None:
    found = json_problem(value)
    assert found is not None
    assert found[0] == path
    assert reason in found[1]


def test_fit_values_have_no_problem() -> None:
    assert json_problem({"a": [1, 2.5, None, True, "é", {"b": []}], "c": (1,)}) is None


def test_python_values_are_read_as_jsonschema_rs_reads_them() -> None:
    """A Decimal is a number, an Enum member its value, a str subclass text (as for the engine)."""
    value = {"a": decimal.Decimal("1.50"), "b": _Member.TEXT, _Text("c"): [_Text("d")]}
    assert json_problem(value) is None


def test_check_number_refuses_an_int_beyond_float() -> None:
    with pytest.raises(InvalidOption, match="a finite number"):
        check_number("n", 10**400, source="--n")


def test_check_number_bounds() -> None:
    assert check_number("n", 5, minimum=0, maximum=10) == 5.0
    with pytest.raises(InvalidOption, match=r"invalid n 0 \(from x\)"):
        check_number("n", 0, above=0, source="x")


def test_check_text_refuses_a_lone_surrogate_without_showing_a_secret() -> None:
    with pytest.raises(InvalidOption, match="lone surrogate at 1") as info:
        check_text("ecwid_cacert", "a\udc80", source="ini", shown="<hidden>")
    assert "<hidden>" in str(info.value)
    assert check_text("x", "plain é") == "plain é"


def test_check_host_accepts_a_valid_international_name() -> None:
    assert check_host("bücher.example") is None
    assert check_host("ｅｘａｍｐｌｅ.com") is not None


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (RecursionError, "nested too deeply"),
        (MemoryError, "out of memory"),
    ],
)
def test_the_command_line_turns_resource_errors_into_one_line(
    error: type[BaseException],
    said: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ecwid_mock._cli.events as events

    def explode(args: object) -> int:
        raise error()

    monkeypatch.setattr(events, "run", explode)
    assert main(["events"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert said in err
