"""The input boundary: the checks every public entry applies to values from outside.

One place says what ecwid-mock accepts, so the library, the CLI and the pytest settings refuse
a bad value alike, with one line naming the value (secrets masked), the rule and the source:

- numbers: finite (no NaN, no infinity) and inside a stated range;
- text: no control characters (NUL, CR, LF, ESC...), encodable as UTF-8 (no lone surrogates);
- URLs: at most :data:`MAX_URL_LENGTH` characters, a host that is valid IDNA 2008;
- header values: at most :data:`MAX_HEADER_LENGTH` characters;
- JSON: nested at most :data:`MAX_JSON_DEPTH` deep, integers of at most
  :data:`MAX_INTEGER_DIGITS` digits, string keys only (UTF-8, like all text), no NaN or
  infinity. A Python value is read as jsonschema-rs, the validating engine, reads it: a
  ``Decimal`` is a number and an ``Enum`` member stands for its value.

Ecwid's payloads are a few levels deep and its numbers fit in 64 bits; the limits are far
above anything real and far below what would exhaust Python (its recursion limit, its
4,300-digit integer conversion limit).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ._errors import InvalidOption

__all__ = [
    "INT64_MAX",
    "MAX_HEADER_LENGTH",
    "MAX_INTEGER_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_URL_LENGTH",
    "check_host",
    "check_number",
    "check_text",
    "json_problem",
    "loads_json",
]

#: The longest webhook URL accepted (8 KiB, the common server limit for a request line).
MAX_URL_LENGTH = 8192
#: The longest custom header value accepted (8 KiB, the common server limit for a header).
MAX_HEADER_LENGTH = 8192
#: The deepest nesting of JSON arrays and objects accepted.
MAX_JSON_DEPTH = 64
#: The most digits a JSON integer may have (a 64-bit id has 19 or 20).
MAX_INTEGER_DIGITS = 100
#: The largest store id (Ecwid's ids are 64-bit signed integers).
INT64_MAX = 2**63 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


def check_number(
    name: str,
    value: object,
    *,
    source: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    allowed: str = "",
) -> float:
    """``value`` as a float if it is a finite real number within the bounds, else InvalidOption."""
    rule = allowed or "a finite number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOption(name, value, rule, source=source)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidOption(name, value, f"{rule} (not NaN or infinity)", source=source)
    try:
        number = float(value)
    except OverflowError:
        raise InvalidOption(name, _short(str(value)), rule, source=source) from None
    if (
        (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
        or (above is not None and number <= above)
    ):
        shown = value if len(repr(value)) <= 80 else _short(repr(value))
        raise InvalidOption(name, shown, rule, source=source)
    return number


def check_text(name: str, value: str, *, source: str = "", shown: object = None) -> str:
    """``value`` if it has no control characters and encodes as UTF-8, else InvalidOption."""
    where = _CONTROL.search(value)
    if where is not None:
        raise InvalidOption(
            name,
            value if shown is None else shown,
            f"text without control characters (found {where.group()!r} at {where.start()})",
            source=source,
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidOption(
                name,
                value if shown is None else shown,
                f"text that encodes as UTF-8 (a lone surrogate at {exc.start})",
                source=source,
            ) from None
    return value


def check_host(host: str) -> str | None:
    """Why ``host`` cannot be called (``None`` when it can): IDNA 2008, as httpx encodes it."""
    if host.isascii():
        return None
    import idna

    try:
        idna.encode(host.lower())
    except idna.IDNAError as exc:
        return f"the host must be valid IDNA (internationalised domain name): {exc}"
    return None


#: An integer of more bits than this has more than MAX_INTEGER_DIGITS digits.
_MAX_BITS = int(MAX_INTEGER_DIGITS * 3.3219280948873626)


def _plain(item: object) -> bool:
    """True for the common scalars that need no further look (the walk's fast path)."""
    if type(item) is str:
        return item.isascii()
    if type(item) is int:
        return item.bit_length() <= _MAX_BITS
    return item is None or type(item) is bool


def json_problem(value: Any) -> tuple[str, str] | None:
    """The first ``(path, reason)`` that makes ``value`` unfit for JSON, or ``None``.

    Iterative, so a deep value is measured rather than overflowing the stack; the path is
    built only for the value that is refused.
    """
    stack: list[tuple[Any, int, Any]] = [(value, 0, None)]
    while stack:
        item, depth, trail = stack.pop()
        if _plain(item):
            continue
        if isinstance(item, Enum):  # a member stands for its value
            stack.append((item.value, depth, trail))
            continue
        reason = _scalar_problem(item)
        if reason is None:
            if depth >= MAX_JSON_DEPTH:
                return _trail_path(trail), f"nested more than {MAX_JSON_DEPTH} levels deep"
            if type(item) is dict or isinstance(item, Mapping):
                for key, child in item.items():
                    if type(key) is not str or not key.isascii():
                        problem = _key_problem(key)
                        if problem:
                            return _trail_path(trail), problem
                    kind = type(child)  # the common scalars inline: no call, no push
                    if (kind is str and child.isascii()) or child is None or kind is bool:
                        continue
                    if kind is int and child.bit_length() <= _MAX_BITS:
                        continue
                    stack.append((child, depth + 1, (trail, key)))
            else:
                for index, child in enumerate(item):
                    if not _plain(child):
                        stack.append((child, depth + 1, (trail, index)))
            continue
        if reason:
            return _trail_path(trail), reason
    return None


def _scalar_problem(item: object) -> str | None:
    """Why a scalar is unfit ("" when it is fine); ``None`` for a container to look into."""
    if type(item) is dict or type(item) is list:
        return None
    if isinstance(item, str):
        try:
            item.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"a string with a lone surrogate at {exc.start} (not UTF-8)"
        return ""
    if isinstance(item, bool) or item is None:
        return ""
    if isinstance(item, int):
        if item.bit_length() > _MAX_BITS:
            return f"an integer of more than {MAX_INTEGER_DIGITS} digits"
        return ""
    if isinstance(item, float):
        return "" if math.isfinite(item) else f"{item!r} (JSON has no NaN or infinity)"
    decimal = sys.modules.get("decimal")  # no Decimal exists before its module is imported
    if decimal is not None and isinstance(item, decimal.Decimal):
        return "" if item.is_finite() else f"{item!r} (JSON has no NaN or infinity)"
    if isinstance(item, (Mapping, list, tuple)):
        return None
    return f"a {type(item).__name__}, which is not a JSON value"


def _key_problem(key: object) -> str:
    """Why a mapping key is unfit ("" when it is fine): JSON keys are text, and text is UTF-8."""
    if not isinstance(key, str):
        return f"a key {_short(key)} of type {type(key).__name__} (JSON keys are strings)"
    try:
        key.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"a key with a lone surrogate at {exc.start} (not UTF-8)"
    return ""


def _trail_path(trail: Any) -> str:
    keys: list[object] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    text = ""
    for key in reversed(keys):
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
    return text


def _depth_problem(text: str) -> str | None:
    """Nesting deeper than :data:`MAX_JSON_DEPTH`, found without parsing (strings skipped)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return (
                    f"nested more than {MAX_JSON_DEPTH} levels deep (at character {match.start()})"
                )
        elif token in "]}":
            depth -= 1
    return None


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (JSON has no NaN or infinity)")


def _parse_int(text: str) -> int:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {digits} digits (at most {MAX_INTEGER_DIGITS} digits)")
    return int(text)


#: One decoder for every call (``json.loads`` with options builds a new one each time).
_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_constant=_refuse_constant)


def loads_json(text: str) -> Any:
    """``json.loads`` within the limits; ValueError (one line, saying which) beyond them.

    ``json.JSONDecodeError`` (a ValueError) for malformed text, as ``json.loads`` raises.
    """
    problem = _depth_problem(text)
    if problem is not None:
        raise ValueError(problem)
    try:
        return _DECODER.decode(text)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
