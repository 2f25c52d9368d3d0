"""The REST API's facts and entity schemas, read from ``schemas/rest/`` (the source of truth).

``schemas/rest/api.json`` lists Ecwid's REST endpoints (method, path, scopes, answer shape, the
webhooks each write fires) and error codes; ``schemas/rest/<entity>.schema.json`` describe the
entities. Schemas are bundled (references inlined) the same way as the event schemas.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any

from .catalog import _bundled, _load, _schema_root

__all__ = ["api_facts", "endpoint", "rest_schema", "rest_schema_names", "validate_rest"]


def api_facts() -> Mapping[str, Any]:
    """The parsed ``schemas/rest/api.json`` (shared; do not modify)."""
    facts: Mapping[str, Any] = _load("rest/api.json")
    return facts


@functools.cache
def _endpoints() -> dict[str, Mapping[str, Any]]:
    return {ep["id"]: ep for ep in api_facts()["endpoints"]}


def endpoint(endpoint_id: str) -> Mapping[str, Any]:
    """One endpoint's facts by id, e.g. ``orders.get``."""
    return _endpoints()[endpoint_id]


def rest_schema_names() -> tuple[str, ...]:
    """Every entity schema's name (file stem without ``.schema.json``), sorted."""
    folder = _schema_root() / "rest"
    return tuple(sorted(p.name[: -len(".schema.json")] for p in folder.glob("*.schema.json")))


def rest_schema(name: str, *, strict: bool = True) -> dict[str, Any]:
    """The self-contained schema of one REST entity (``order``, ``product-review`` ...)."""
    result: dict[str, Any] = copy.deepcopy(_bundled(f"rest/{name}.schema.json", strict))
    return result


@functools.cache
def _validator(name: str, envelope: bool, strict: bool) -> Any:
    import jsonschema

    schema = rest_schema(name, strict=strict)
    if envelope:
        outer = rest_schema("search-envelope", strict=strict)
        outer["properties"]["items"] = {"type": "array", "items": schema}
        schema = outer
    elif name.endswith("[]"):  # pragma: no cover - guarded by the caller
        raise ValueError(name)
    return jsonschema.Draft202012Validator(schema, format_checker=None)


def validate_rest(
    answer: Any, name: str, *, kind: str = "object", strict: bool = True
) -> list[str]:
    """Problems of one REST answer against its entity schema (empty when valid).

    ``kind`` is the endpoint's answer shape: ``object``, ``envelope`` (a search) or ``array``.
    """
    validator = _validator(name, kind == "envelope", strict)
    items = answer if kind == "array" else [answer]
    if kind == "array" and not isinstance(answer, list):
        return [f"expected a JSON array, got {type(answer).__name__}"]
    problems = []
    for item in items:
        for error in validator.iter_errors(item):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{where}: {error.message}")
    return problems
