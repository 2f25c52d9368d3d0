"""`ecwid-mock events`, `schema` and `validate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import ecwid_mock
from ecwid_mock._cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_events_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["events"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["EVENT", "TYPE", "SCOPE", "ENTITYID", "DATA", "FIELDS"]
    assert len(lines) == 1 + 42
    row = next(line for line in lines if line.startswith("order.updated "))
    assert "read_orders" in row
    assert "newFulfillmentStatus" in row
    assert "size_chart" not in out


def test_events_json_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["events", "--json", "--all"], capsys)
    assert code == 0
    events = json.loads(out)
    assert len(events) == 45
    customer = next(e for e in events if e["event_type"] == "customer.deleted")
    assert customer["scope"] == "read_customers"
    assert customer["data_fields"][0]["name"] == "customerEmail"


def test_schema_is_bundled_and_usable_alone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "order.updated"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert "$ref" not in out
    jsonschema.Draft202012Validator.check_schema(schema)
    example = schema["examples"][0]
    assert jsonschema.Draft202012Validator(schema).is_valid({**example, "extra": 1})
    code, out, _ = run(["schema", "order.updated", "--strict"], capsys)
    strict = json.loads(out)
    errors = list(jsonschema.Draft202012Validator(strict).iter_errors({**example, "extra": 1}))
    assert [e.message for e in errors] == [
        "Unevaluated properties are not allowed ('extra' was unexpected)"
    ]
    code, out, _ = run(["schema", "envelope"], capsys)
    assert json.loads(out)["title"] == "Ecwid webhook envelope"


def test_schema_unknown_type_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schema", "order.craeted"], capsys)
    assert code == 2
    assert out == ""
    assert err == (
        "ecwid-mock schema: error: unknown Ecwid event type 'order.craeted'; "
        "did you mean 'order.created', 'order.updated', 'order.deleted'?\n"
    )


def _write(tmp_path: Path, name: str, payload: Any) -> str:
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return str(path)


def test_validate_valid_and_invalid_files(
    tmp_path: Path, order_updated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.json", order_updated)
    code, out, _ = run(["validate", good], capsys)
    assert (code, out) == (0, f"{good}: valid order.updated\n")
    bad = _write(tmp_path, "bad.json", {**order_updated, "storeId": "x"})
    code, out, _ = run(["validate", good, bad], capsys)
    assert code == 1
    assert f"{bad}: invalid\n  storeId: must be an integer, got string 'x'\n" in out


def test_validate_json(
    tmp_path: Path, order_updated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.json", order_updated)
    bad = _write(tmp_path, "bad.json", {**order_updated, "storeId": "x"})
    code, out, _ = run(["validate", "--json", good, bad], capsys)
    assert code == 1
    assert json.loads(out) == [
        {"file": good, "valid": True, "eventType": "order.updated"},
        {
            "file": bad,
            "valid": False,
            "problems": [{"path": "storeId", "message": "must be an integer, got string 'x'"}],
        },
    ]


def test_validate_reads_json_lines_and_names_each_line(
    tmp_path: Path, order_updated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(order_updated), "", json.dumps({**order_updated, "storeId": "x"})]
    path = _write(tmp_path, "events.jsonl", "\n".join(lines) + "\n")
    code, out, _ = run(["validate", path], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{path}:1: valid order.updated",
        f"{path}:3: invalid",
        "  storeId: must be an integer, got string 'x'",
    ]


def test_validate_json_that_is_not_an_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "string.json", '"str"')
    code, out, _ = run(["validate", path], capsys)
    assert (code, out) == (
        1,
        f"{path}: invalid\n  (root): must be a JSON object, got string 'str'\n",
    )


def test_validate_strict(
    tmp_path: Path, order_updated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    extra = _write(tmp_path, "extra.json", {**order_updated, "x": 1})
    assert run(["validate", extra], capsys)[0] == 0
    code, out, _ = run(["validate", "--strict", extra], capsys)
    assert code == 1
    assert "x: unknown field" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read file '{path}': No such file or directory"),
        ("{", "{path}: body is not JSON: Expecting property name enclosed in double quotes"),
        ("", "{path}: body is empty, expected a JSON object"),
    ],
    ids=["missing", "not-json", "empty"],
)
def test_validate_bad_input_is_exit_2(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "in.json") if content is None else _write(tmp_path, "in.json", content)
    code, _out, err = run(["validate", path], capsys)
    assert code == 2
    assert err.startswith("ecwid-mock validate: error: " + message.format(path=path))
    assert len(err.splitlines()) == 1


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["events", "--bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "ecwid-mock: error: unrecognized arguments: --bogus (see ecwid-mock --help)\n"


def test_console_script_reads_stdin(order_updated: dict[str, Any]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecwid_mock", "validate", "-"],
        input=json.dumps(order_updated).encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "<stdin>: valid order.updated\n"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"ecwid-mock {ecwid_mock.__version__}\n"
