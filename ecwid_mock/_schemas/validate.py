"""Validation of webhook payloads against the event schemas.

Two engines, one verdict. jsonschema-rs answers "is it valid?" fast (the common case in a
receiver's test suite); the reference implementation, jsonschema, explains *why* a payload is
invalid, so error messages are stable and precise. The test suite proves that both engines agree
on every payload it knows. Validators are built once per (event type, mode) and reused; a
payload is never used to re-check the schema itself.

A dict (given, or parsed from a body) takes a fast path first: one ``is_valid`` call on the
event type's *guard*, a validator whose schema states the input limits of
:mod:`ecwid_mock._checks` too (see :func:`_guard_schema`), so a payload it accepts is valid in
both modes and within the limits without a walk of its own. Anything else, and anything the
guard refuses, takes the full path, which finds the reason; the two paths give the same
verdict and message (a property test compares them).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from .._checks import MAX_JSON_DEPTH, json_problem, loads_json
from .._errors import InvalidEvent, UnknownEventType
from . import catalog as _catalog
from .nodes import json_type
from .problem import Problem

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = [
    "InvalidJSON",
    "is_valid_event",
    "parse_payload",
    "validate_event",
    "validate_typed",
    "validate_value",
]

Payload = Mapping[str, Any] | str | bytes | bytearray | memoryview


class InvalidJSON(InvalidEvent):
    """The body is not JSON at all (or not UTF-8): nothing could be validated."""


class _FastValidator(Protocol):
    def is_valid(self, instance: Any) -> bool: ...


def _show(value: object, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_payload(payload: Payload, *, source: str = "") -> Any:
    """The JSON value of a dict, a JSON string or raw body bytes; :class:`InvalidJSON` if none.

    Parsed text is within the limits of :mod:`ecwid_mock._checks` (depth, integer length,
    UTF-8); a dict is returned as given (:func:`validate_value` measures it).
    """
    if isinstance(payload, Mapping):
        return payload
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = Problem("", f"body is not UTF-8 (byte {exc.start}: {exc.reason})")
            raise InvalidJSON([problem], source=source) from None
    if not isinstance(payload, str):
        problem = Problem(
            "", f"expected a dict, a JSON string or bytes, got {type(payload).__name__}"
        )
        raise InvalidJSON([problem], source=source)
    try:
        value = loads_json(payload)
    except json.JSONDecodeError as exc:
        if not payload.strip():
            message = "body is empty, expected a JSON object"
        else:
            message = f"body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise InvalidJSON([Problem("", message)], source=source) from None
    except ValueError as exc:  # beyond the limits of ecwid_mock._checks
        raise InvalidJSON(
            [Problem("", f"body is not acceptable JSON: {exc}")], source=source
        ) from None
    if "\\u" in payload and _SURROGATE_ESCAPE.search(payload):
        _refuse_unfit(value, source)  # a lone surrogate may hide in an escape: measure all
    return value


#: A \\uD800-\\uDFFF escape, which JSON text may hold and UTF-8 cannot.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_unfit(value: Any, source: str) -> None:
    unfit = json_problem(value)
    if unfit is not None:
        # Before the engines: they would overflow the stack or fail on a foreign value.
        raise InvalidJSON([Problem(unfit[0], f"not acceptable JSON: {unfit[1]}")], source=source)


@functools.cache
def _fast(schema_key: tuple[str | None, bool]) -> _FastValidator:
    import jsonschema_rs

    event_type, strict = schema_key
    validator: _FastValidator = jsonschema_rs.Draft202012Validator(
        _catalog.schema_for(event_type, strict=strict)
    )
    return validator


@functools.cache
def _reference(schema_key: tuple[str | None, bool]) -> Any:
    from jsonschema import Draft202012Validator

    event_type, strict = schema_key
    return Draft202012Validator(_catalog.schema_for(event_type, strict=strict))


def _is_valid(schema_key: tuple[str | None, bool], value: Any) -> bool:
    """The fast engine's verdict; the reference engine's for a value the fast one cannot read.

    jsonschema-rs refuses a few Python values that are JSON to everyone else (a ``str``
    subclass, say) with an exception rather than a verdict.
    """
    try:
        return bool(_fast(schema_key).is_valid(value))
    except Exception:
        return bool(_reference(schema_key).is_valid(value))


# --- the fast path ------------------------------------------------------------------------

#: The numbers the guard lets through: 64-bit integers, far within MAX_INTEGER_DIGITS.
_GUARD_MINIMUM, _GUARD_MAXIMUM = -(2**63), 2**63 - 1
#: How two values of one keyword combine into one (the tighter wins).
_TIGHTER = {
    "minimum": max, "exclusiveMinimum": max, "minLength": max, "minProperties": max,
    "maximum": min, "exclusiveMaximum": min, "maxLength": min, "maxProperties": min,
}  # fmt: skip

#: Keywords that check one value and admit nothing beyond what its type allows.
_ASSERTIONS = frozenset(
    {
        "const", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minLength", "maxLength", "pattern", "format", "minProperties",
        "maxProperties",
    }
)  # fmt: skip
#: Keywords that check nothing.
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "$comment", "title", "description", "examples", "default",
        "deprecated", "readOnly", "writeOnly",
    }
)  # fmt: skip
_NUMBERS = frozenset({"integer", "number"})
_ANY = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})


def _parts(schema: Any) -> list[dict[str, Any]] | None:
    """``schema`` and its ``allOf`` parts, or ``None`` if it uses a keyword not understood here."""
    if not isinstance(schema, dict):
        return None
    found = [schema]
    for key, value in schema.items():
        if key == "allOf":
            for part in value:
                parts = _parts(part)
                if parts is None:
                    return None
                found.extend(parts)
        elif key in ("additionalProperties", "unevaluatedProperties"):
            if value is not False:
                return None
        elif key == "properties":
            if not isinstance(value, dict):
                return None
        elif not (
            key in _ASSERTIONS
            or key in _ANNOTATIONS
            or key in ("type", "required")
            or key.startswith("x-")
        ):
            return None
    return found


def _types(part: dict[str, Any]) -> frozenset[str]:
    """The JSON types ``part`` admits (``integer`` counted in ``number``)."""
    if "const" in part or "enum" in part:
        literals = [part["const"]] if "const" in part else list(part["enum"])
        return frozenset(json_type(v) for v in literals)
    if "type" not in part:
        return _ANY
    declared = part["type"]
    names = set(declared if isinstance(declared, list) else [declared])
    return frozenset(names | ({"integer"} if "number" in names else set()))


def _declared(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _declared(part)
    return names


def _allowed_names(parts: list[dict[str, Any]]) -> set[str] | None:
    """The property names an object meeting every part may have (``None``: any name)."""
    allowed: set[str] | None = None
    for part in parts:
        if part.get("additionalProperties") is False:
            names = set(part.get("properties", {}))
        elif part.get("unevaluatedProperties") is False:
            names = _declared(part)
        else:
            continue
        allowed = names if allowed is None else allowed & names
    return allowed


def _guard_node(schema: Any, depth: int, limits: bool = True) -> dict[str, Any] | bool | None:
    """A flat schema admitting part of what ``schema`` admits at nesting ``depth``, or ``None``.

    The parts of an ``allOf`` are merged into one object (jsonschema-rs checks a flat schema
    faster than the tolerant one), and with ``limits`` it is within the input limits by
    construction: every object closed and typed all the way down, so the nesting is bounded;
    a number within 64 bits; a string read as UTF-8. Without ``limits`` it admits exactly what
    ``schema`` admits. ``None`` when ``schema`` leaves a place open (any value, an array) or
    uses a keyword not understood here; ``False`` when it admits nothing.
    """
    parts = _parts(schema)
    if parts is None:
        return None
    types = _ANY
    for part in parts:
        types &= _types(part)
    if types == _ANY or "array" in types:
        return None
    if not types:
        return False  # admits nothing
    out: dict[str, Any] = {}
    if types & _NUMBERS and limits:
        # "number", with "multipleOf": 1 for "integer": jsonschema-rs lets an int too long to
        # print pass as an "integer" under any "maximum", but not as a "number".
        names = sorted((types - {"integer"}) | {"number"})
        if "number" not in types:
            out["multipleOf"] = 1
        out["minimum"], out["maximum"] = _GUARD_MINIMUM, _GUARD_MAXIMUM
    else:
        names = sorted(types)
    out["type"] = names[0] if len(names) == 1 else names
    if "object" in types:
        literals = [v for part in parts for v in part.get("enum", [])]
        literals += [part["const"] for part in parts if "const" in part]
        allowed = _allowed_names(parts)
        if depth >= MAX_JSON_DEPTH or allowed is None:
            return None
        if any(isinstance(v, (dict, list)) for v in literals):
            return None
        properties: dict[str, Any] = {}
        for name in sorted(allowed):
            subs = [
                part["properties"][name] for part in parts if name in part.get("properties", {})
            ]
            node = _guard_node({"allOf": subs}, depth + 1, limits)
            if node is None:
                return None
            properties[name] = node
        out["properties"] = properties
        out["additionalProperties"] = False
        required = sorted({name for part in parts for name in part.get("required", [])})
        if required:
            out["required"] = required
    if limits and "string" in types and not any("pattern" in part for part in parts):
        out["pattern"] = "^"  # a pattern reads the string as UTF-8: a lone surrogate raises
    rest: list[dict[str, Any]] = []  # checks that do not combine into one keyword
    for part in parts:
        for key, value in part.items():
            if key not in _ASSERTIONS:
                continue
            if key not in out:
                out[key] = value
            elif key in _TIGHTER:
                out[key] = _TIGHTER[key](out[key], value)
            elif out[key] != value:
                rest.append({key: value})
    if rest:
        out["allOf"] = rest
    return out


def _guard_schema(event_type: str, limits: bool = True) -> dict[str, Any] | None:
    """The schema of the fast path for ``event_type``, or ``None`` if it cannot have one.

    The strict schema (so what it accepts is valid in both modes), flattened, with the input
    limits of :mod:`ecwid_mock._checks` stated in it (:func:`_guard_node`); what it cannot
    state fails or raises in jsonschema-rs: NaN, a non-string key, a foreign value. Without
    ``limits``: the strict schema flattened, admitting exactly what it admits.
    """
    node = _guard_node(_catalog.schema_for(event_type, strict=True), 0, limits)
    if not isinstance(node, dict):
        return None
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **node}


@functools.cache
def strict_validator(event_type: str) -> _FastValidator:
    """A jsonschema-rs validator with the strict schema's verdicts, in its fastest form.

    The strict schema flattened (:func:`_guard_schema` without the input limits): the same
    verdicts in half the time of the schema as written, whose envelope sits in an ``allOf``
    that ``unevaluatedProperties`` must look through. The event factory checks what it builds
    with it. ``event_type`` is a canonical name.
    """
    flat = _guard_schema(event_type, limits=False)
    if flat is None:  # pragma: no cover - every schema flattens (a test)
        return _fast((event_type, True))
    import jsonschema_rs

    validator: _FastValidator = jsonschema_rs.Draft202012Validator(flat)
    return validator


#: The guard of each canonical event type met so far (``None``: that type has none).
_GUARDS: dict[str, _FastValidator | None] = {}


def _guard(event_type: str) -> _FastValidator | None:
    """The guard validator of ``event_type`` (built on first use); ``None`` if it has none."""
    try:
        return _GUARDS[event_type]
    except KeyError:
        pass
    if _catalog.canonical_event_type(event_type, allow_aliases=False) is None:
        return None  # not remembered: a caller's stream of made-up names must not grow a cache
    import jsonschema_rs

    schema = _guard_schema(event_type)
    guard = None if schema is None else jsonschema_rs.Draft202012Validator(schema)
    _GUARDS[event_type] = guard
    return guard


def _passes_guard(value: object) -> TypeGuard[dict[str, Any]]:
    """True when ``value`` is a dict the fast path accepts (valid and within the limits)."""
    if type(value) is not dict:
        return False
    event_type = value.get("eventType")
    if type(event_type) is not str:
        return False
    guard = _GUARDS.get(event_type) or _guard(event_type)
    if guard is None:
        return False
    try:
        return bool(guard.is_valid(value))
    except Exception:  # a value jsonschema-rs cannot read (a set, say): the full path explains
        return False


def _path(parts: Iterable[object]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _problems_for(error: ValidationError) -> list[Problem]:
    path = _path(error.absolute_path)
    kind = error.validator
    instance = error.instance
    rule: Any = error.validator_value
    if kind == "required":
        present = instance if isinstance(instance, Mapping) else {}
        return [
            Problem(_join(path, name), "required field is missing")
            for name in rule
            if name not in present
        ]
    if kind in ("additionalProperties", "unevaluatedProperties"):
        # A declared field whose own value is invalid also shows up as "unevaluated";
        # its real problem is reported separately, so only undeclared names are listed.
        declared = _declared_properties(error.schema)
        names = [n for n in _QUOTED.findall(error.message.rpartition("(")[2]) if n not in declared]
        return [
            Problem(_join(path, name), "unknown field (strict mode allows only documented fields)")
            for name in names
        ]
    if kind == "enum":
        allowed = ", ".join(str(v) for v in rule)
        return [Problem(path, f"{_show(instance)} is not one of {allowed}")]
    if kind == "const":
        return [Problem(path, f"must be {_show(error.validator_value)}, got {_show(instance)}")]
    if kind == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        got = json_type(instance)
        return [Problem(path, f"must be {_article(wanted)}, got {got} {_show(instance)}")]
    if kind in ("anyOf", "oneOf"):
        return _problems_for_alternatives(error, path)
    message = error.message
    shown = _show(instance)
    if message.startswith(repr(instance)):
        message = shown + message[len(repr(instance)) :]
    return [Problem(path, message)]


def _declared_properties(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, Mapping):
        names.update(schema.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                names |= _declared_properties(sub)
    return names


def _article(type_names: str) -> str:
    return ("an " if type_names[0] in "aeiou" else "a ") + type_names


def _problems_for_alternatives(error: ValidationError, path: str) -> list[Problem]:
    """Explain an anyOf failure by its documented branch, not by 'not valid under any'."""
    branches: Any = error.validator_value
    context = list(error.context or [])
    enums = [e for e in context if e.validator == "enum"]
    if context and len(enums) == len(context):
        values: list[str] = []
        for e in enums:
            rule: Any = e.validator_value
            values.extend(str(v) for v in rule if str(v) not in values)
        return [Problem(path, f"{_show(error.instance)} is not one of {', '.join(values)}")]
    primary = [
        i for i, b in enumerate(branches) if not (isinstance(b, dict) and b.get("deprecated"))
    ]
    if len(primary) == 1:
        chosen = [e for e in context if e.relative_schema_path[0] == primary[0]]
        if chosen:
            problems: list[Problem] = []
            for sub in chosen:
                problems.extend(_problems_for(sub))
            return problems
    return [Problem(path, f"{_show(error.instance)} matches none of the accepted forms")]


def _explain(schema_key: tuple[str | None, bool], payload: Any) -> list[Problem]:
    problems: list[Problem] = []
    type_problem_at: dict[str, int] = {}
    for error in _reference(schema_key).iter_errors(payload):
        for problem in _problems_for(error):
            if problem in problems:
                continue
            if error.validator == "type":
                # The envelope and the event schema both check a field's type: keep the
                # narrower (shorter) statement of what is expected.
                seen = type_problem_at.get(problem.path)
                if seen is not None:
                    if len(problem.message) < len(problems[seen].message):
                        problems[seen] = problem
                    continue
                type_problem_at[problem.path] = len(problems)
            problems.append(problem)
    return sorted(problems, key=lambda p: p.path)


def _envelope_problems(payload: Any, strict: bool) -> list[Problem]:
    key = (None, strict)
    return [] if _is_valid(key, payload) else _explain(key, payload)


def validate_event(payload: Payload, *, strict: bool = False, source: str = "") -> dict[str, Any]:
    """Validate one webhook payload and return it as a dict.

    ``payload`` is a dict, a JSON string or the raw body bytes. *Tolerant* mode (the default)
    accepts what a receiver should accept from real or future Ecwid: unknown extra fields and
    documented older forms. *Strict* mode accepts only the current documented form, with no
    unknown fields; it is what ecwid-mock's own generator produces.

    Raises :class:`InvalidEvent` listing every problem as ``path: message``; ``source`` (a file
    name, say) is named in the message.
    """
    if _passes_guard(payload):
        return dict(payload)
    value = parse_payload(payload, source=source)
    return _validated(value, strict, source, checked=not isinstance(payload, Mapping))[1]


def validate_value(value: Any, *, strict: bool = False, source: str = "") -> dict[str, Any]:
    """:func:`validate_event` for a JSON value already parsed (any type, not re-read as text)."""
    if _passes_guard(value):
        return dict(value)
    return _validated(value, strict, source)[1]


def validate_typed(payload: Payload, event_type: str | None, strict: bool, source: str) -> Any:
    """:func:`validate_event`, also checking the type; a tolerated alias gets its documented name.

    The engine of ``parse_event`` (whose generated overloads give the result its TypedDict).
    """
    try:
        value = parse_payload(payload, source=source)
        name, event = _validated(value, strict, source, checked=not isinstance(payload, Mapping))
    except InvalidEvent:
        if event_type is not None:
            _expected_type(event_type)  # an unknown event_type is the first thing to say
        raise
    if name != event_type and event_type is not None:  # the common case checks no catalogue
        expected = _expected_type(event_type)
        if name != expected:
            problem = Problem("eventType", f"must be {expected!r}, got {event['eventType']!r}")
            raise InvalidEvent([problem], event_type=name, source=source)
    if event["eventType"] != name:
        event["eventType"] = name
    return event


def _expected_type(event_type: str) -> str:
    """The catalogue name ``parse_event(..., event_type)`` asks for; aliases allowed."""
    expected = _catalog.canonical_event_type(event_type, allow_aliases=True)
    if expected is None:
        raise UnknownEventType(event_type, _catalog.suggestions(event_type))
    return expected


def _validated(
    value: Any, strict: bool, source: str, *, checked: bool = False
) -> tuple[str, dict[str, Any]]:
    """The canonical event type of a valid ``value`` and a shallow copy of it.

    ``checked``: ``value`` was parsed here from text, so it is already within the limits and
    nobody else holds it (it is returned as it is).
    """
    if checked and _passes_guard(value):
        return value["eventType"], value  # the guard admits only the canonical name
    if not checked:
        _refuse_unfit(value, source)
    if not isinstance(value, Mapping):
        problem = Problem("", f"must be a JSON object, got {json_type(value)} {_show(value)}")
        raise InvalidEvent([problem], source=source)
    event_type = value.get("eventType")
    name = (
        _catalog.canonical_event_type(event_type, allow_aliases=not strict)
        if isinstance(event_type, str)
        else None
    )
    if name is None:
        problems = _envelope_problems(value, strict)
        if isinstance(event_type, str):
            close = _catalog.suggestions(event_type)
            hint = f"; closest known: {', '.join(close)}" if close else ""
            problems.append(Problem("eventType", f"unknown event type {event_type!r}{hint}"))
        raise InvalidEvent(problems, source=source)
    key = (name, strict)
    if not _is_valid(key, value):
        problems = _explain(key, value)
        if not problems:  # pragma: no cover - the engines disagree; never silently accept
            problems = [Problem("", "rejected by the fast validator; please report this payload")]
        raise InvalidEvent(problems, event_type=name, source=source)
    return name, dict(value)


def is_valid_event(payload: Payload, *, strict: bool = False) -> bool:
    """True when :func:`validate_event` would accept ``payload``."""
    try:
        validate_event(payload, strict=strict)
    except InvalidEvent:
        return False
    return True
