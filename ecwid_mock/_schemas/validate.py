"""Validation of webhook payloads against the event schemas.

Two engines, one verdict. jsonschema-rs answers "is it valid?" fast (the common case in a
receiver's test suite); the reference implementation, jsonschema, explains *why* a payload is
invalid, so error messages are stable and precise. The test suite proves that both engines agree
on every payload it knows. Validators are built once per (event type, mode) and reused; a
payload is never used to re-check the schema itself.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .._checks import json_problem, loads_json
from .._errors import InvalidEvent, Problem, UnknownEventType
from . import catalog as _catalog
from .nodes import json_type

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
    return [] if _fast(key).is_valid(payload) else _explain(key, payload)


def validate_event(payload: Payload, *, strict: bool = False, source: str = "") -> dict[str, Any]:
    """Validate one webhook payload and return it as a dict.

    ``payload`` is a dict, a JSON string or the raw body bytes. *Tolerant* mode (the default)
    accepts what a receiver should accept from real or future Ecwid: unknown extra fields and
    documented older forms. *Strict* mode accepts only the current documented form, with no
    unknown fields; it is what ecwid-mock's own generator produces.

    Raises :class:`InvalidEvent` listing every problem as ``path: message``; ``source`` (a file
    name, say) is named in the message.
    """
    value = parse_payload(payload, source=source)
    return _validated(value, strict, source, checked=not isinstance(payload, Mapping))[1]


def validate_value(value: Any, *, strict: bool = False, source: str = "") -> dict[str, Any]:
    """:func:`validate_event` for a JSON value already parsed (any type, not re-read as text)."""
    return _validated(value, strict, source)[1]


def validate_typed(
    payload: Payload, event_type: str | None, *, strict: bool = False, source: str = ""
) -> Any:
    """:func:`validate_event`, also checking the type; a tolerated alias gets its documented name.

    The engine of ``parse_event`` (whose generated overloads give the result its TypedDict).
    """
    expected = None
    if event_type is not None:
        expected = _catalog.canonical_event_type(event_type, allow_aliases=True)
        if expected is None:
            raise UnknownEventType(event_type, _catalog.suggestions(event_type))
    value = parse_payload(payload, source=source)
    name, event = _validated(value, strict, source, checked=not isinstance(payload, Mapping))
    if expected is not None and name != expected:
        problem = Problem("eventType", f"must be {expected!r}, got {event['eventType']!r}")
        raise InvalidEvent([problem], event_type=name, source=source)
    if event["eventType"] != name:
        event["eventType"] = name
    return event


def _validated(
    value: Any, strict: bool, source: str, *, checked: bool = False
) -> tuple[str, dict[str, Any]]:
    """The canonical event type of a valid ``value`` and a shallow copy of it.

    ``checked``: ``value`` was parsed here from text, so it is already within the limits.
    """
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
    if not _fast(key).is_valid(value):
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
