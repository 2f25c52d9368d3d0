"""The event catalogue, derived from the JSON Schemas in ``schemas/`` (the single source of truth).

Nothing about Ecwid's events is written here: event types, scopes, ``entityId`` meanings and
data fields are all read from the schema files. The files describe the *strict* contract with
two conventions that give the *tolerant* one:

* ``"additionalProperties": false`` / ``"unevaluatedProperties": false`` mark where unknown
  fields are refused; tolerant mode drops them, so fields Ecwid may add later are accepted.
* an ``anyOf`` branch marked ``"deprecated": true`` is a documented alternative (an older doc
  generation, a real capture, Ecwid's Java client); tolerant mode keeps it, strict mode drops it.
"""

from __future__ import annotations

import copy
import difflib
import fnmatch
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .._errors import InvalidOption, UnknownEventType
from .files import load, schema_root

__all__ = [
    "DataField",
    "EventInfo",
    "all_event_types",
    "event_info",
    "event_types",
    "schema_for",
    "select_event_types",
]

JSON = Any
_SCHEMA_SUFFIX = ".schema.json"


_schema_root = schema_root
_load = load


@dataclass(frozen=True)
class DataField:
    """One field of an event's ``data`` object, as its schema describes it."""

    name: str
    required: bool
    types: tuple[str, ...]
    enum: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class EventInfo:
    """What the catalogue knows about one event type (all of it read from its schema file)."""

    event_type: str
    entity: str
    action: str
    scope: str
    entity_id: str
    entity_id_type: str
    data_fields: tuple[DataField, ...]
    data_presence: str
    documented: bool
    confidence: str
    description: str
    schema_path: str
    aliases: tuple[str, ...] = ()


# --- building bundled, mode-resolved schemas ------------------------------------------------


def _resolve_pointer(document: JSON, pointer: str) -> JSON:
    node = document
    for part in filter(None, pointer.split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline(node: JSON, base: PurePosixPath) -> JSON:
    """Replace every relative ``$ref`` by the schema it points at (our refs are not recursive)."""
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, base) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if ref is not None:
        file_part, _, pointer = ref.partition("#")
        target_path = _normpath(base / file_part) if file_part else None
        if target_path is None:  # pragma: no cover - our schemas only use file refs
            raise ValueError(f"local $ref {ref!r} is not supported")
        target = _resolve_pointer(_load(str(target_path)), pointer)
        resolved = _inline(target, target_path.parent)
        # "unevaluatedProperties" is the outer schema's to decide: inside an allOf member it
        # would also name the outer schema's valid fields whenever that member fails.
        for key in ("$schema", "$id", "examples", "title", "unevaluatedProperties"):
            resolved.pop(key, None)
        out["allOf"] = [*out.get("allOf", []), resolved]
    return out


def _normpath(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def _apply_mode(node: JSON, *, strict: bool) -> JSON:
    """Turn the files' strict-with-alternatives form into the strict or the tolerant schema."""
    if isinstance(node, list):
        return [_apply_mode(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, JSON] = {}
    merged: list[JSON] = []
    for key, value in node.items():
        if not strict and key in ("additionalProperties", "unevaluatedProperties") and not value:
            continue
        if strict and key in ("anyOf", "oneOf"):
            kept = [b for b in value if not (isinstance(b, dict) and b.get("deprecated") is True)]
            if len(kept) == 1:
                merged.append(_apply_mode(kept[0], strict=strict))
                continue
            value = kept
        out[key] = _apply_mode(value, strict=strict)
    if merged:
        out["allOf"] = [*out.get("allOf", []), *merged]
    return out


@functools.cache
def _bundled(relpath: str, strict: bool) -> JSON:
    path = PurePosixPath(relpath)
    return _apply_mode(_inline(copy.deepcopy(_load(relpath)), path.parent), strict=strict)


def schema_for(event_type: str | None = None, *, strict: bool = False) -> dict[str, Any]:
    """The self-contained schema (references inlined) of one event type, or of the envelope.

    Returns a fresh copy, usable by any JSON Schema draft 2020-12 tool.
    """
    relpath = "envelope.schema.json" if event_type is None else event_info(event_type).schema_path
    result: dict[str, Any] = copy.deepcopy(_bundled(relpath, strict))
    return result


# --- the catalogue ----------------------------------------------------------------------------


def _event_schema_paths() -> Iterator[str]:
    events = _schema_root() / "events"
    for entity_dir in sorted(p for p in events.iterdir() if p.is_dir()):
        for file in sorted(entity_dir.glob("*" + _SCHEMA_SUFFIX)):
            yield f"events/{entity_dir.name}/{file.name}"


def _flatten(schema: JSON) -> list[dict[str, Any]]:
    """A schema and the schemas it pulls in through allOf (after inlining), outermost first."""
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for sub in schema.get("allOf", []):
        found.extend(_flatten(sub))
    return found


def _first(schema: JSON, key: str, default: Any = None) -> Any:
    for part in _flatten(schema):
        if key in part:
            return part[key]
    return default


def _types_of(schema: JSON) -> tuple[str, ...]:
    declared = _first(schema, "type")
    if declared is not None:
        return tuple(declared) if isinstance(declared, list) else (declared,)
    if _first(schema, "enum") is not None:
        return ("string",)
    return ()


def _info_from_schema(relpath: str) -> EventInfo:
    raw = _load(relpath)
    strict = _bundled(relpath, True)
    props = raw["properties"]
    event_type_schema = props["eventType"]
    if "const" in event_type_schema:
        event_type, aliases = event_type_schema["const"], ()
    else:
        branches = event_type_schema["anyOf"]
        event_type = next(b["const"] for b in branches if not b.get("deprecated"))
        aliases = tuple(b["const"] for b in branches if b.get("deprecated"))
    entity, _, action = event_type.partition(".")
    entity_id_schema = strict["properties"]["entityId"]
    data_schema = strict["properties"].get("data", {})
    data_props: dict[str, Any] = {}
    data_required: list[str] = []
    for part in _flatten(data_schema):
        data_props.update(part.get("properties", {}))
        data_required.extend(part.get("required", []))
    fields = tuple(
        DataField(
            name=name,
            required=name in data_required,
            types=_types_of(spec),
            enum=tuple(_first(spec, "enum", ())),
            description=" ".join(
                str(p["description"]) for p in _flatten(spec) if "description" in p
            ),
        )
        for name, spec in data_props.items()
    )
    meta = raw.get("x-ecwid", {})
    return EventInfo(
        event_type=event_type,
        entity=entity,
        action=action,
        scope=str(meta.get("scope", "unknown")),
        entity_id=str(_first(entity_id_schema, "description", "")),
        entity_id_type=" or ".join(_types_of(entity_id_schema)) or "integer",
        data_fields=fields,
        data_presence=str(meta.get("dataPresence", "unknown")),
        documented=bool(meta.get("documented", True)),
        confidence=str(meta.get("confidence", "unknown")),
        description=str(raw.get("description", "")),
        schema_path=relpath,
        aliases=aliases,
    )


@functools.lru_cache(maxsize=1)
def _catalog() -> Mapping[str, EventInfo]:
    infos = (_info_from_schema(path) for path in _event_schema_paths())
    return {info.event_type: info for info in sorted(infos, key=lambda i: i.event_type)}


@functools.lru_cache(maxsize=1)
def _aliases() -> Mapping[str, str]:
    return {alias: info.event_type for info in _catalog().values() for alias in info.aliases}


def event_types(*, include_undocumented: bool = False) -> tuple[str, ...]:
    """Event types in the catalogue, sorted; undocumented ones only when asked for."""
    return tuple(
        name for name, info in _catalog().items() if include_undocumented or info.documented
    )


def all_event_types() -> tuple[str, ...]:
    """Every event type that has a schema, undocumented ones included."""
    return event_types(include_undocumented=True)


def canonical_event_type(event_type: str, *, allow_aliases: bool) -> str | None:
    """The catalogue name of ``event_type``, following tolerated aliases if allowed."""
    if event_type in _catalog():
        return event_type
    if allow_aliases:
        return _aliases().get(event_type)
    return None


def suggestions(event_type: object) -> list[str]:
    """The closest known event types to a misspelt one."""
    if not isinstance(event_type, str):
        return []
    known = list(_catalog())
    lowered = {name.lower(): name for name in known}
    if event_type.lower() in lowered:
        return [lowered[event_type.lower()]]
    if event_type in _aliases():
        return [_aliases()[event_type]]
    return difflib.get_close_matches(event_type, known, n=3, cutoff=0.6)


def event_info(event_type: str) -> EventInfo:
    """What is known about ``event_type``; raises :class:`UnknownEventType` with suggestions."""
    name = (
        canonical_event_type(event_type, allow_aliases=True)
        if isinstance(event_type, str)
        else None
    )
    if name is None:
        raise UnknownEventType(event_type, suggestions(event_type))
    return _catalog()[name]


def select_event_types(
    patterns: Iterable[str] | str | None, *, source: str = "", name: str = "event type"
) -> tuple[str, ...]:
    """Event types from names or patterns (``"order.*"``, comma-separated too), in catalogue
    order; ``None`` means every documented type (:data:`ecwid_mock.EVENT_TYPES`).

    ``name`` is what the caller's face calls one item (``event type``, ``events``).
    """
    if patterns is None:
        return event_types()
    items = [patterns] if isinstance(patterns, str) else list(patterns)
    known = all_event_types()
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise InvalidOption(name, item, "a string such as 'order.created'", source=source)
        for part in (p.strip() for p in item.split(",")):
            if not part:
                continue
            if any(ch in part for ch in "*?["):
                matched = fnmatch.filter(known, part)
                if not matched:
                    raise InvalidOption(
                        "event type pattern",
                        part,
                        "a pattern that matches an event type, such as 'order.*'",
                        source=source,
                    )
                chosen.update(matched)
            else:
                chosen.add(event_info(part).event_type)  # UnknownEventType names close ones
    if not chosen:
        raise InvalidOption("events", patterns, "at least one event type", source=source)
    return tuple(t for t in known if t in chosen)
