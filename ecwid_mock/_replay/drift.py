"""Schema drift: what real bodies hold that our schemas (built from Ecwid's documents) do not say.

For each event type it finds fields the schemas lack, types and enum values they do not allow,
and fields they require that never appear, each with a count and an example, and proposes the
change as JSON Patch (RFC 6902) operations on the schema files under ``schemas/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._schemas.catalog import _load, event_info
from .._schemas.nodes import json_type
from .fields import Location, event_type_of, locate

__all__ = ["DriftFinding", "DriftReport", "find_drift"]

KINDS = ("unknown-event-type", "unknown-field", "type", "enum", "never-present")
_SEEN_NOTE = "Seen in captured deliveries (ecwid-mock schema drift); not in Ecwid's documentation."


@dataclass
class DriftFinding:
    """One way real bodies of ``event_type`` differ from the schema, seen ``count`` times."""

    event_type: str
    kind: str
    path: str
    detail: str
    count: int = 0
    example: Any = None
    seen_types: set[str] = field(default_factory=set)
    new_values: list[Any] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "kind": self.kind,
            "path": self.path,
            "detail": self.detail,
            "count": self.count,
            "example": self.example,
        }


@dataclass
class DriftReport:
    """Every finding, how many bodies of each type were read, and the proposed schema change."""

    findings: list[DriftFinding]
    bodies: dict[str, int]

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def patches(self) -> list[dict[str, Any]]:
        """``[{"file": "events/order/updated.schema.json", "patch": [op, ...]}, ...]``."""
        return _patches(self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "drift": self.drifted,
            "bodies": dict(sorted(self.bodies.items())),
            "findings": [f.as_dict() for f in self.findings],
            "patches": self.patches(),
        }


def find_drift(payloads: Iterable[Any]) -> DriftReport:
    """Compare parsed bodies with the tolerant schemas (unknown fields, types, enums) and the
    strict ones (required fields)."""
    findings: dict[tuple[str, str, str], DriftFinding] = {}
    bodies: dict[str, int] = {}
    # (event type, object path) -> [times the object was seen, {field: times present}]
    presence: dict[tuple[str, str], list[Any]] = {}

    def note(event_type: str, kind: str, path: str, detail: str, value: Any) -> DriftFinding:
        found = findings.setdefault(
            (event_type, kind, path), DriftFinding(event_type, kind, path, detail, example=value)
        )
        found.count += 1
        return found

    for payload in payloads:
        event_type = event_type_of(payload)
        if event_type is None:
            name = payload.get("eventType") if isinstance(payload, Mapping) else None
            label = name if isinstance(name, str) else "(no eventType)"
            bodies[label] = bodies.get(label, 0) + 1
            note(label, "unknown-event-type", "eventType", "not an event type of the schemas", name)
            continue
        bodies[event_type] = bodies.get(event_type, 0) + 1
        _walk(event_type, payload, (), note, presence)
    for (event_type, object_path), (times, present) in presence.items():
        location = locate(event_type, _steps(object_path))
        for name in location.required if location else ():
            if present.get(name, 0) == 0:
                path = f"{object_path}.{name}" if object_path else name
                found = note(event_type, "never-present", path, "required, but never present", None)
                found.count = times
    ordered = sorted(findings.values(), key=lambda f: (f.event_type, KINDS.index(f.kind), f.path))
    return DriftReport(ordered, bodies)


def _walk(
    event_type: str,
    value: Any,
    path: tuple[str | int, ...],
    note: Any,
    presence: dict[tuple[str, str], list[Any]],
) -> None:
    location = locate(event_type, path)
    dotted = _dotted(path)
    if location is None:
        found = note(event_type, "unknown-field", dotted, "not in the schema", _example(value))
        found.seen_types.add(json_type(value))
        return
    kind = json_type(value)
    if kind not in location.types and not (kind == "integer" and "number" in location.types):
        allowed = " or ".join(sorted(location.types))
        found = note(
            event_type,
            "type",
            dotted,
            f"{kind} where the schema allows {allowed}",
            _shown(location, value),
        )
        found.seen_types.add(kind)
        return
    if location.enum is not None and value not in location.enum:
        found = note(
            event_type, "enum", dotted, "a value the schema does not list", _shown(location, value)
        )
        if value not in found.new_values:
            found.new_values.append(value)
        return
    if isinstance(value, dict):
        counts = presence.setdefault((event_type, dotted), [0, {}])
        counts[0] += 1
        for name, item in value.items():
            counts[1][name] = counts[1].get(name, 0) + 1
            _walk(event_type, item, (*path, name), note, presence)
    elif isinstance(value, list):
        for item in value:
            _walk(event_type, item, (*path, 0), note, presence)


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += "[]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _steps(dotted: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    for part in filter(None, dotted.split(".")):
        name = part.rstrip("[]")
        steps.append(name)
        steps.extend([0] * ((len(part) - len(name)) // 2))
    return tuple(steps)


def _example(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    return value if len(text) <= 80 else text[:79] + "…"


def _shown(location: Location, value: Any) -> Any:
    """An example, except for values the schemas mark as personal data or business ids."""
    return (
        f"({json_type(value)}, hidden: {', '.join(location.marks.values())})"
        if location.marks
        else _example(value)
    )


# -- proposing the change ----------------------------------------------------------------------


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _ref_target(file: str, ref: str) -> tuple[str, str]:
    from pathlib import PurePosixPath

    file_part, _, pointer = ref.partition("#")
    parts: list[str] = []
    for part in (PurePosixPath(file).parent / file_part).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts), pointer


def _node(file: str, pointer: str) -> Any:
    node = _load(file)
    for part in filter(None, pointer.split("/")):
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _primary(file: str, pointer: str, *, follow_refs: bool) -> list[tuple[str, str, Any]]:
    """The chain of (file, pointer, node) that describes one location, primary branches first."""
    chain: list[tuple[str, str, Any]] = []
    todo = [(file, pointer)]
    while todo:
        here_file, here = todo.pop(0)
        node = _node(here_file, here)
        if not isinstance(node, Mapping):
            continue
        chain.append((here_file, here, node))
        for key in ("anyOf", "oneOf"):
            for index, branch in enumerate(node.get(key, ())):
                if isinstance(branch, Mapping) and not branch.get("deprecated"):
                    todo.append((here_file, f"{here}/{key}/{index}"))
        if follow_refs and isinstance(node.get("$ref"), str):
            todo.append(_ref_target(here_file, node["$ref"]))
    return chain


def _property_pointer(file: str, object_pointer: str, name: str) -> tuple[str, str] | None:
    for here_file, here, node in _primary(file, object_pointer, follow_refs=True):
        if name in node.get("properties", {}):
            return here_file, f"{here}/properties/{_escape(name)}"
    return None


def _location_pointer(event_type: str, dotted: str) -> tuple[str, str] | None:
    file, pointer = event_info(event_type).schema_path, ""
    for part in filter(None, dotted.split(".")):
        name, arrays = part.rstrip("[]"), (len(part) - len(part.rstrip("[]"))) // 2
        found = _property_pointer(file, pointer, name)
        if found is None:
            return None
        file, pointer = found
        pointer += "/items" * arrays
    return file, pointer


def _declaring(finding: DriftFinding, keyword: str) -> tuple[str, str, Any] | None:
    """The (file, pointer, node) that declares ``keyword`` for the finding's location."""
    target = _location_pointer(finding.event_type, finding.path)
    if target is None:
        return None
    chain = _primary(*target, follow_refs=True)
    return next((c for c in chain if keyword in c[2]), None)


def _patches(findings: Iterable[DriftFinding]) -> list[dict[str, Any]]:
    by_file: dict[str, list[dict[str, Any]]] = {}
    removals: dict[tuple[str, str], list[int]] = {}
    for finding in findings:
        parent, _, name = finding.path.rpartition(".")
        if finding.kind == "unknown-field":
            target = _location_pointer(finding.event_type, parent)
            if target is None:
                continue
            file, pointer = target
            chain = _primary(file, pointer, follow_refs=False)
            own = next((c for c in chain if "properties" in c[2]), None)
            types = sorted(finding.seen_types)
            spec = {"type": types[0] if len(types) == 1 else types, "description": _SEEN_NOTE}
            if own is not None:
                by_file.setdefault(own[0], []).append(
                    {"op": "add", "path": f"{own[1]}/properties/{_escape(name)}", "value": spec}
                )
            else:  # a shared "no data" schema: give this event its own data object
                ops = by_file.setdefault(file, [])
                op = next((o for o in ops if o["op"] == "replace" and o["path"] == pointer), None)
                if op is None:
                    op = {"op": "replace", "path": pointer, "value": {"type": "object"}}
                    op["value"]["properties"] = {}
                    ops.append(op)
                op["value"]["properties"][name] = spec
        elif finding.kind == "type":
            typed = _declaring(finding, "type")
            if typed is None:
                continue
            old = typed[2]["type"]
            merged = sorted({*([old] if isinstance(old, str) else old), *finding.seen_types})
            by_file.setdefault(typed[0], []).append(
                {"op": "replace", "path": f"{typed[1]}/type", "value": merged}
            )
        elif finding.kind == "enum":
            listed = _declaring(finding, "enum")
            if listed is None:
                continue
            ops = by_file.setdefault(listed[0], [])
            for value in finding.new_values:
                op = {"op": "add", "path": f"{listed[1]}/enum/-", "value": value}
                if op not in ops:
                    ops.append(op)
        elif finding.kind == "never-present":
            target = (
                _location_pointer(finding.event_type, parent)
                if parent
                else (
                    event_info(finding.event_type).schema_path,
                    "",
                )
            )
            if target is None:
                continue
            for file, pointer, node in _primary(*target, follow_refs=False):
                required = node.get("required", [])
                if name in required:
                    removals.setdefault((file, f"{pointer}/required"), []).append(
                        required.index(name)
                    )
                    break
    for (file, pointer), indices in removals.items():
        for index in sorted(set(indices), reverse=True):
            by_file.setdefault(file, []).append({"op": "remove", "path": f"{pointer}/{index}"})
    return [{"file": file, "patch": ops} for file, ops in sorted(by_file.items())]
