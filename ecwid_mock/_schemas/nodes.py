"""Reading a bundled event schema as merged nodes: what one location of a payload may hold.

The bundled schemas (``_catalog.schema_for``) express an event as its own keywords plus the
envelope through ``allOf``, and tolerant schemas keep documented alternatives in ``anyOf``. The
override checker, the factory's generic field filler and the Hypothesis strategies all need the
same answer to "which fields may be here, of which types, with which values": this module
merges the conjunction of schema parts into one :class:`Node` and expands ``anyOf`` into
alternatives. It handles the keywords our schemas use, nothing more.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ALL_TYPES", "Node", "alternatives", "flatten", "json_type", "merge"]

Schema = Mapping[str, Any]

ALL_TYPES = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})


def json_type(value: object) -> str:
    """The JSON Schema type name of a Python value (``True`` is a boolean, not an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def flatten(schema: Schema) -> list[Schema]:
    """``schema`` and everything it pulls in through ``allOf``, innermost parts first.

    Innermost first puts the envelope's properties before the event's own, so the merged
    property order is Ecwid's key order: eventId, eventCreated, storeId, entityId, ...
    """
    found: list[Schema] = []
    for sub in schema.get("allOf", ()):
        found.extend(flatten(sub))
    found.append(schema)
    return found


def alternatives(schema: Schema) -> list[list[Schema]]:
    """Every way to satisfy ``schema``: one list of parts per combination of anyOf branches.

    A strict schema has no ``anyOf`` left, so it has exactly one alternative.
    """
    options: list[list[Schema]] = [[]]
    for part in flatten(schema):
        branches = part.get("anyOf") or part.get("oneOf")
        own = {k: v for k, v in part.items() if k not in ("anyOf", "oneOf", "allOf")}
        if not branches:
            options = [[*o, own] for o in options]
            continue
        expanded = [alt for branch in branches for alt in alternatives(branch)]
        options = [[*o, own, *alt] for o, alt in itertools.product(options, expanded)]
    return options


@dataclass
class Node:
    """The merged constraints of several schema parts that all apply to one value."""

    types: frozenset[str] = ALL_TYPES
    enum: tuple[Any, ...] | None = None
    properties: dict[str, list[Schema]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    closed: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int = 0
    max_length: int | None = None
    patterns: tuple[str, ...] = ()
    format: str | None = None
    examples: tuple[Any, ...] = ()
    description: str = ""

    @property
    def type_names(self) -> str:
        """The allowed types as words, e.g. ``an integer`` or ``an object or null``."""
        order = ["object", "array", "string", "integer", "number", "boolean", "null"]
        names = [t for t in order if t in self.types]
        text = " or ".join(names) if names else "nothing"
        return ("an " if text[0] in "aeiou" else "a ") + text


def merge(parts: Sequence[Schema]) -> Node:
    """One :class:`Node` for the conjunction of ``parts`` (flattened first)."""
    node = Node()
    required: list[str] = []
    patterns: list[str] = []
    examples: list[Any] = []
    for part in (p for schema in parts for p in flatten(schema)):
        declared = part.get("type")
        if declared is not None:
            allowed = frozenset([declared] if isinstance(declared, str) else declared)
            if "number" in allowed:
                allowed |= {"integer"}
            node.types &= allowed
        values: list[Any] | None = None
        if "const" in part:
            values = [part["const"]]
        elif "enum" in part:
            values = list(part["enum"])
        if values is not None:
            node.enum = (
                tuple(values) if node.enum is None else tuple(v for v in node.enum if v in values)
            )
        for name, spec in part.get("properties", {}).items():
            node.properties.setdefault(name, []).append(spec)
        required.extend(r for r in part.get("required", ()) if r not in required)
        if part.get("additionalProperties") is False or part.get("unevaluatedProperties") is False:
            node.closed = True
        if "minimum" in part:
            low = part["minimum"]
            node.minimum = low if node.minimum is None else max(low, node.minimum)
        if "maximum" in part:
            high = part["maximum"]
            node.maximum = high if node.maximum is None else min(high, node.maximum)
        node.min_length = max(node.min_length, int(part.get("minLength", 0)))
        if "maxLength" in part:
            longest = int(part["maxLength"])
            node.max_length = longest if node.max_length is None else min(longest, node.max_length)
        if "pattern" in part and part["pattern"] not in patterns:
            patterns.append(part["pattern"])
        if "format" in part:
            node.format = part["format"]
        examples.extend(e for e in part.get("examples", ()) if e not in examples)
        if part.get("description") and not node.description:
            node.description = str(part["description"])
    if node.enum is not None:
        node.types &= frozenset(json_type(v) for v in node.enum)
    node.required = tuple(required)
    node.patterns = tuple(patterns)
    node.examples = tuple(examples)
    return node
