"""What the schemas say about one location of a payload: known fields, types, values, marks.

Scrubbing and drift both ask the same questions of the *tolerant* schema of an event type
(which fields may be here, of which types, with which values, and what ``x-ecwid`` marks them
as: ``{"pii": KIND}`` for personal data, ``{"id": NAMESPACE}`` for a business identifier) and
of the *strict* one (which fields are required).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._schemas.catalog import canonical_event_type, schema_for
from .._schemas.nodes import ALL_TYPES, alternatives, flatten, merge

__all__ = ["Location", "event_type_of", "locate", "marks_of"]

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Location:
    """The union of every documented alternative at one location of a payload."""

    types: frozenset[str]
    enum: tuple[Any, ...] | None  # None: any value of the allowed types
    properties: Mapping[str, tuple[Schema, ...]]
    items: tuple[Schema, ...]
    required: tuple[str, ...]  # required in the strict schema
    marks: Mapping[str, str]


def event_type_of(payload: object) -> str | None:
    """The catalogue name of a payload's ``eventType`` (aliases followed), or None."""
    if not isinstance(payload, Mapping):
        return None
    event_type = payload.get("eventType")
    if not isinstance(event_type, str):
        return None
    return canonical_event_type(event_type, allow_aliases=True)


def marks_of(parts: Sequence[Schema]) -> dict[str, str]:
    """The ``x-ecwid`` pii/id marks found in ``parts``, their allOf and their anyOf branches.

    The outermost mark wins: a property's own mark is more specific than its $ref target's.
    """
    found: dict[str, str] = {}
    for part in parts:
        for piece in reversed(flatten(part)):
            mark = piece.get("x-ecwid")
            if isinstance(mark, Mapping):
                for key in ("pii", "id"):
                    if key in mark and isinstance(mark[key], str):
                        found.setdefault(key, mark[key])
            for branch in piece.get("anyOf", ()) or piece.get("oneOf", ()):
                for key, value in marks_of([branch]).items():
                    found.setdefault(key, value)
    return found


def _describe(parts: Sequence[Schema], strict_parts: Sequence[Schema] | None) -> Location:
    types: set[str] = set()
    enum: list[Any] | None = []
    properties: dict[str, list[Schema]] = {}
    items: list[Schema] = []
    for option in alternatives({"allOf": list(parts)}):
        node = merge(option)
        types |= node.types
        if node.enum is None:
            enum = None
        elif enum is not None:
            enum.extend(v for v in node.enum if v not in enum)
        for name, specs in node.properties.items():
            properties.setdefault(name, []).extend(specs)
        for piece in option:
            for part in flatten(piece):
                if isinstance(part.get("items"), Mapping):
                    items.append(part["items"])
    required: tuple[str, ...] = ()
    if strict_parts is not None:
        strict_options = alternatives({"allOf": list(strict_parts)})
        if len(strict_options) == 1:
            required = merge(strict_options[0]).required
    return Location(
        types=frozenset(types) if types else ALL_TYPES,
        enum=tuple(enum) if enum is not None else None,
        properties={name: tuple(specs) for name, specs in properties.items()},
        items=tuple(items),
        required=required,
        marks=marks_of(parts),
    )


@functools.cache
def _root(event_type: str) -> tuple[Schema, Schema]:
    return schema_for(event_type), schema_for(event_type, strict=True)


def locate(event_type: str, path: Sequence[str | int]) -> Location | None:
    """The :class:`Location` at ``path`` of an ``event_type`` payload; None if not declared."""
    return _locate(event_type, tuple(path))


@functools.lru_cache(maxsize=4096)
def _locate(event_type: str, path: tuple[str | int, ...]) -> Location | None:
    tolerant, strict = _root(event_type)
    parts: list[Schema] = [tolerant]
    strict_parts: list[Schema] | None = [strict]
    for step in path:
        here = _describe(parts, strict_parts)
        if isinstance(step, int):
            if not here.items:
                return None
            parts, strict_parts = list(here.items), None
            continue
        specs = here.properties.get(step)
        if not specs:
            return None
        strict_here = _describe(strict_parts, None).properties.get(step) if strict_parts else None
        parts = list(specs)
        strict_parts = list(strict_here) if strict_here else None
    return _describe(parts, strict_parts)
