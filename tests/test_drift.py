"""Schema drift: planted differences are found, with counts, examples and a patch that fits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PAYLOAD_EXAMPLES, SCHEMAS
from replay_helpers import order_body

from ecwid_mock import Cassette, Interaction, find_drift
from ecwid_mock._cli import main


def planted() -> list[dict[str, Any]]:
    """Captures that differ from the schemas in the four ways drift looks for."""
    base = json.loads(order_body())
    extra = copy.deepcopy(base)
    extra["data"]["discountCode"] = "SUMMER"  # a field the schema lacks
    new_enum = copy.deepcopy(base)
    new_enum["data"]["newPaymentStatus"] = "PARTIALLY_REFUNDED_BY_BANK"  # a new enum value
    wrong_type = copy.deepcopy(base)
    wrong_type["entityId"] = "688863494"  # a string where a number was
    reviews = [
        {
            "eventId": f"r{n}",
            "eventCreated": 1725435755,
            "storeId": 61882411,
            "entityId": 10 + n,
            "eventType": "review.created",
            "data": {"productId": 5, "orderId": 6},  # "status" is required, never present
        }
        for n in range(3)
    ]
    return [base, extra, extra, new_enum, wrong_type, *reviews]


def by_kind(report: Any) -> dict[tuple[str, str, str], Any]:
    return {(f.event_type, f.kind, f.path): f for f in report.findings}


def test_each_planted_difference_is_found_with_its_count_and_example() -> None:
    report = find_drift(planted())
    found = by_kind(report)
    assert set(found) == {
        ("order.created", "unknown-field", "data.discountCode"),
        ("order.created", "enum", "data.newPaymentStatus"),
        ("order.created", "type", "entityId"),
        ("review.created", "never-present", "data.status"),
    }
    assert found["order.created", "unknown-field", "data.discountCode"].count == 2
    assert found["order.created", "unknown-field", "data.discountCode"].example == "SUMMER"
    assert found["order.created", "enum", "data.newPaymentStatus"].example == (
        "PARTIALLY_REFUNDED_BY_BANK"
    )
    assert (
        "string where the schema allows integer"
        in found["order.created", "type", "entityId"].detail
    )
    assert "688863494" not in str(found["order.created", "type", "entityId"].example)  # an id
    assert found["review.created", "never-present", "data.status"].count == 3
    assert report.bodies == {"order.created": 5, "review.created": 3}
    assert report.drifted


def test_an_unknown_event_type_is_drift_too() -> None:
    body = {**json.loads(order_body()), "eventType": "order.archived"}
    (finding,) = find_drift([body]).findings
    assert (finding.kind, finding.event_type) == ("unknown-event-type", "order.archived")


def _pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def apply_patch(document: Any, patch: list[dict[str, Any]]) -> Any:
    """A minimal RFC 6902 (add, replace, remove) to prove the proposed pointers fit the files."""
    document = copy.deepcopy(document)
    for op in patch:
        *parents, last = _pointer_parts(op["path"])
        node = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if op["op"] == "remove":
            assert isinstance(node, list) or last in node
            if isinstance(node, list):
                del node[int(last)]
            else:
                del node[last]
        elif isinstance(node, list):
            assert op["op"] == "add"
            node.append(op["value"]) if last == "-" else node.insert(int(last), op["value"])
        else:
            assert (last in node) == (op["op"] == "replace"), op
            node[last] = op["value"]
    return document


def test_the_proposed_patch_fits_the_schema_files_and_covers_the_captures() -> None:
    patches = {p["file"]: p["patch"] for p in find_drift(planted()).patches()}
    assert set(patches) == {
        "common/ids.schema.json",
        "common/order-statuses.schema.json",
        "events/order/created.schema.json",
        "events/review/created.schema.json",
    }
    patched = {
        file: apply_patch(json.loads((SCHEMAS / file).read_text()), patch)
        for file, patch in patches.items()
    }
    order = patched["events/order/created.schema.json"]
    assert order["properties"]["data"]["properties"]["discountCode"]["type"] == "string"
    statuses = patched["common/order-statuses.schema.json"]["$defs"]["paymentStatus"]["enum"]
    assert "PARTIALLY_REFUNDED_BY_BANK" in statuses
    assert patched["common/ids.schema.json"]["$defs"]["internalOrderId"]["type"] == [
        "integer",
        "string",
    ]
    assert (
        "status"
        not in patched["events/review/created.schema.json"]["properties"]["data"]["required"]
    )


def schema_examples() -> list[dict[str, Any]]:
    files = sorted((SCHEMAS / "events").glob("*/*.schema.json"))
    return [example for f in files for example in json.loads(f.read_text()).get("examples", [])]


def payload_examples(*, future: bool) -> list[dict[str, Any]]:
    files = sorted(PAYLOAD_EXAMPLES.glob("*/*.payload.json"))
    return [json.loads(f.read_text()) for f in files if ("future-field" in f.name) == future]


def test_silent_on_our_own_schema_examples() -> None:
    examples = schema_examples()
    assert len(examples) >= 40
    report = find_drift(examples)
    assert report.findings == []
    assert not report.drifted


def test_silent_on_the_payload_examples_except_the_planted_future_field() -> None:
    assert find_drift(payload_examples(future=False)).findings == []
    future = find_drift(payload_examples(future=True))
    assert {(f.kind, f.path) for f in future.findings} == {
        ("unknown-field", "data.someFutureField"),
        ("unknown-field", "traceId"),
    }


# -- the command line -----------------------------------------------------------------------


def write_lines(path: Path, payloads: list[dict[str, Any]]) -> str:
    path.write_text("\n".join(json.dumps(p) for p in payloads) + "\n")
    return str(path)


def test_cli_exit_1_with_a_table_and_a_patch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "captured.jsonl", planted())
    assert main(["schema", "drift", path]) == 1
    out = capsys.readouterr().out
    assert "data.discountCode" in out
    assert "never-present" in out
    assert "/$defs/paymentStatus/enum/-" in out
    assert "drift: 4 findings in 8 bodies" in out


def test_cli_exit_0_when_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_lines(tmp_path / "examples.jsonl", schema_examples())
    assert main(["schema", "drift", path]) == 0
    assert "no drift" in capsys.readouterr().out


def test_cli_json_reads_cassettes_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette_file = tmp_path / "c.jsonl"
    Cassette(cassette_file).extend(Interaction(body=json.dumps(p).encode()) for p in planted())
    with cassette_file.open("a") as handle:
        handle.write("{broken\n")
    assert main(["schema", "drift", str(cassette_file), "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["drift"] is True
    assert report["bodies"] == {"order.created": 5, "review.created": 3}
    assert report["unreadable_lines"] == 1
    assert {f["kind"] for f in report["findings"]} == {
        "unknown-field",
        "enum",
        "type",
        "never-present",
    }
    assert all({"file", "patch"} == set(p) for p in report["patches"])
    assert "line 9: not JSON" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["schema", "drift"], "at least one FILE", id="no-file"),
        pytest.param(["schema", "order.created", "x.json"], "go with", id="file-without-drift"),
        pytest.param(["schema", "drift", "missing.jsonl"], "cannot read", id="missing-file"),
    ],
)
def test_cli_bad_input_is_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_reports_a_cassette_body_that_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.jsonl"
    Cassette(path).extend(
        [Interaction(body=b"\xff binary"), Interaction(body=json.dumps(planted()[0]).encode())]
    )
    assert main(["schema", "drift", str(path)]) == 0
    assert "line 1: the cassette's body is not JSON (skipped)" in capsys.readouterr().err
