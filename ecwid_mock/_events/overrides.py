"""Overrides by dotted path (``{"data.newPaymentStatus": "PAID"}``), checked against the schema.

With checking on, every path and value is checked against the event's *strict* schema before
it is applied, so a typo fails at once with the path, the bad value and what is allowed, instead
of as a puzzling validation error later. With checking off (``validate=False``), anything goes:
that is the explicit way to build a deliberately broken payload. :data:`DELETE` removes a key.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Mapping
from typing import Any, Final

from .._errors import InvalidOverride
from .._schemas.catalog import schema_for
from .._schemas.nodes import Node, json_type, merge

__all__ = ["DELETE", "apply_overrides"]

_BROKEN_HINT = "pass validate=False to build a deliberately broken payload"


class _Delete:
    """The type of :data:`DELETE`; one instance only."""

    _instance: _Delete | None = None

    def __new__(cls) -> _Delete:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DELETE"

    def __reduce__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()
"""Override value that removes the key, e.g. ``overrides={"data": DELETE}``."""


@functools.cache
def _root(event_type: str) -> Node:
    return merge([schema_for(event_type, strict=True)])


def apply_overrides(
    payload: dict[str, Any], overrides: Mapping[str, object], *, event_type: str, check: bool
) -> None:
    """Apply ``overrides`` to ``payload`` in place, in the order given.

    ``check`` refuses any path or value that the strict schema of ``event_type`` does not
    allow, raising :class:`InvalidOverride` that names the path and what is allowed.
    """
    if not isinstance(overrides, Mapping):
        raise InvalidOverride(
            "", f"overrides must be a mapping of dotted paths to values, not {overrides!r}"
        )
    for path, value in overrides.items():
        parts = _split(path)
        if check:
            _check(event_type, path, parts, value)
        elif value is not DELETE:
            _check_serialisable(path, value)
        _set(payload, path, parts, value)


def _split(path: object) -> list[str]:
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise InvalidOverride(
            str(path), "a path is field names joined by dots, like 'data.newPaymentStatus'"
        )
    return path.split(".")


def _check_serialisable(path: str, value: object) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidOverride(path, f"{value!r} cannot be sent as JSON ({exc})") from None


def _set(payload: dict[str, Any], path: str, parts: list[str], value: object) -> None:
    target = payload
    for depth, part in enumerate(parts[:-1]):
        child = target.get(part)
        if child is None:
            if value is DELETE:
                return
            child = target[part] = {}
        elif not isinstance(child, dict):
            prefix = ".".join(parts[: depth + 1])
            raise InvalidOverride(
                path,
                f"{prefix!r} holds {json_type(child)} {child!r}, not an object; "
                f"override {prefix!r} with an object first",
            )
        target = child
    if value is DELETE:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = value


def _fields(node: Node) -> str:
    return ", ".join(node.properties) if node.properties else ""


def _unknown(event_type: str, path: str, parent: str, name: str, node: Node) -> InvalidOverride:
    where = f"{event_type} events" if not parent else f"{event_type} {parent}"
    verb = "have" if not parent else "has"
    listing = f"{where} {verb} {_fields(node)}" if node.properties else f"{where} {verb} no fields"
    close = difflib.get_close_matches(name, list(node.properties), n=1, cutoff=0.6)
    hint = f"; did you mean {'.'.join([*filter(None, [parent]), close[0]])!r}?" if close else ""
    return InvalidOverride(path, f"unknown field; {listing}{hint}")


def _check(event_type: str, path: str, parts: list[str], value: object) -> None:
    node = _root(event_type)
    for depth, name in enumerate(parts):
        parent = ".".join(parts[:depth])
        if name not in node.properties:
            raise _unknown(event_type, path, parent, name, node)
        last = depth == len(parts) - 1
        if last and value is DELETE:
            if name in node.required:
                raise InvalidOverride(
                    path, f"cannot delete a required field of {event_type}; {_BROKEN_HINT}"
                )
            return
        child = merge(node.properties[name])
        if last:
            _check_value(event_type, path, value, child)
            return
        if "object" not in child.types:
            here = ".".join(parts[: depth + 1])
            raise InvalidOverride(
                path, f"unknown field; {event_type} {here} is {child.type_names}, with no fields"
            )
        node = child


def _check_value(event_type: str, path: str, value: object, node: Node) -> None:
    kind = json_type(value)
    if value is DELETE:
        raise InvalidOverride(path, "DELETE can only be the whole value of an override")
    if kind not in node.types and not (kind == "integer" and "number" in node.types):
        hint = f"; {_BROKEN_HINT}" if kind == "null" else ""
        got = "null" if value is None else f"{kind} {_show(value)}"
        raise InvalidOverride(path, f"must be {node.type_names}, but got {got}{hint}")
    if node.enum is not None and value not in node.enum:
        if len(node.enum) == 1:
            raise InvalidOverride(path, f"must be {node.enum[0]!r}, but got {_show(value)}")
        allowed = ", ".join(str(v) for v in node.enum)
        raise InvalidOverride(path, f"{_show(value)} is not one of {allowed}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if node.minimum is not None and value < node.minimum:
            raise InvalidOverride(path, f"must be at least {node.minimum}, but got {value!r}")
        if node.maximum is not None and value > node.maximum:
            raise InvalidOverride(path, f"must be at most {node.maximum}, but got {value!r}")
    if isinstance(value, str):
        _check_string(path, value, node)
    if isinstance(value, Mapping):
        _check_object(event_type, path, value, node)


def _check_string(path: str, value: str, node: Node) -> None:
    if len(value) < node.min_length:
        unit = "character" if node.min_length == 1 else "characters"
        raise InvalidOverride(
            path, f"must have at least {node.min_length} {unit}, but got {value!r}"
        )
    if node.max_length is not None and len(value) > node.max_length:
        raise InvalidOverride(
            path, f"must have at most {node.max_length} characters, but got {_show(value)}"
        )
    for pattern in node.patterns:
        if re.search(pattern, value) is None:
            raise InvalidOverride(path, f"must match {pattern}, but got {_show(value)}")
    if node.format == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
        raise InvalidOverride(path, f"must be an email address, but got {_show(value)}")


def _check_object(event_type: str, path: str, value: Mapping[Any, Any], node: Node) -> None:
    for key, item in value.items():
        child_path = f"{path}.{key}"
        if key not in node.properties:
            if node.closed:
                raise _unknown(event_type, child_path, path, str(key), node)
            continue
        _check_value(event_type, child_path, item, merge(node.properties[key]))
    missing = [name for name in node.required if name not in value]
    if missing:
        raise InvalidOverride(
            path, f"missing required field {', '.join(missing)} of {event_type}; {_BROKEN_HINT}"
        )


def _show(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
