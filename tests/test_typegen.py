"""The type generator: deterministic, its output checked in, and open to more schema folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SCHEMAS

from ecwid_mock._schemas import catalog as _catalog
from ecwid_mock._schemas import files, typegen


def test_output_is_stable_and_checked_in() -> None:
    types_text, parse_text = typegen.render_types_module(), typegen.render_parse_module()
    assert typegen.render_types_module() == types_text
    assert typegen.render_parse_module() == parse_text
    assert typegen.TYPES_PATH.read_text(encoding="utf-8") == types_text, "run the generator"
    assert typegen.PARSE_PATH.read_text(encoding="utf-8") == parse_text, "run the generator"
    assert typegen.main(["--check"]) == 0


def test_check_reports_a_stale_file_and_a_run_rewrites_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "types.py"
    stale.write_text("# edited by hand\n", encoding="utf-8")
    monkeypatch.setattr(typegen, "TYPES_PATH", stale)
    assert typegen.main(["--check"]) == 1
    assert "types.py is out of date with schemas/" in capsys.readouterr().out
    assert typegen.main([]) == 0
    assert stale.read_text(encoding="utf-8") == typegen.render_types_module()
    assert typegen.main(["--check"]) == 0


def test_class_names() -> None:
    assert typegen.class_name("order.updated") == "OrderUpdated"
    assert typegen.class_name("customer_group.created") == "CustomerGroupCreated"
    assert (
        typegen.class_name("application.subscriptionStatusChanged")
        == "ApplicationSubscriptionStatusChanged"
    )


def test_more_schema_folders_give_more_typeddicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    (root / "extra").mkdir()
    entity = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Store order",
        "type": "object",
        "required": ["id", "paymentStatus"],
        "properties": {
            "id": {"$ref": "../common/ids.schema.json#/$defs/publicOrderId"},
            "paymentStatus": {"$ref": "../common/order-statuses.schema.json#/$defs/paymentStatus"},
            "email": {"type": ["string", "null"]},
        },
        "additionalProperties": False,
    }
    (root / "extra" / "order.schema.json").write_text(json.dumps(entity), encoding="utf-8")
    monkeypatch.setattr(_catalog, "_schema_root", lambda: root)
    monkeypatch.setattr(files, "schema_root", lambda: root)
    files.load.cache_clear()
    text = typegen.render_types_module(["extra"])
    block = text.partition("class Order(TypedDict):")[2].partition("\n\n\n")[0]
    assert block.splitlines()[-3:] == [
        "    id: str",
        "    paymentStatus: PaymentStatus",
        "    email: NotRequired[str | None]",
    ]
    assert '    "Order",' in text.partition("\n]")[0]
    with pytest.raises(SystemExit, match="no schema folder 'nowhere'"):
        typegen.render_types_module(["nowhere"])
    files.load.cache_clear()
