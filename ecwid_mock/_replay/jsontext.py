"""Where each value of a JSON text sits, so a value can be replaced without touching other bytes.

A scrubbed or time-shifted body keeps the captured bytes everywhere else: number spellings such
as ``1.50`` or ``1e2``, key order and whitespace survive, as they would not through
``json.loads`` and ``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["DuplicateKey", "Path", "replace_values", "value_spans"]

Path = tuple[str | int, ...]

_DECODER = json.JSONDecoder()
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 - untyped in typeshed
_WHITESPACE = " \t\n\r"


class DuplicateKey(ValueError):
    """An object has the same key twice: which value a receiver sees is ambiguous."""


def value_spans(text: str) -> dict[Path, tuple[int, int]]:
    """``{path: (start, end)}`` of every value in the JSON ``text`` (the root has path ``()``).

    Raises ``ValueError`` for text that is not one JSON value, :class:`DuplicateKey` for a key
    repeated in one object.
    """
    spans: dict[Path, tuple[int, int]] = {}
    end = _skip(text, _value(text, _skip(text, 0), (), spans))
    if end != len(text):
        raise ValueError(f"extra data at character {end}")
    return spans


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _value(text: str, index: int, path: Path, spans: dict[Path, tuple[int, int]]) -> int:
    start = index
    char = text[index : index + 1]
    if char == "{":
        index = _skip(text, index + 1)
        seen: set[str] = set()
        closed = text[index : index + 1] == "}"
        while not closed:
            if text[index : index + 1] != '"':
                raise ValueError(f"expected a key at character {index}")
            key, index = _scanstring(text, index + 1)
            if key in seen:
                raise DuplicateKey(f"key {key!r} appears twice in one object")
            seen.add(key)
            index = _skip(text, index)
            if text[index : index + 1] != ":":
                raise ValueError(f"expected ':' at character {index}")
            index = _skip(text, _value(text, _skip(text, index + 1), (*path, key), spans))
            if text[index : index + 1] == ",":
                index = _skip(text, index + 1)
                continue
            if text[index : index + 1] != "}":
                raise ValueError(f"expected ',' or '}}' at character {index}")
            closed = True
        index += 1
    elif char == "[":
        index = _skip(text, index + 1)
        position = 0
        closed = text[index : index + 1] == "]"
        while not closed:
            index = _skip(text, _value(text, index, (*path, position), spans))
            position += 1
            if text[index : index + 1] == ",":
                index = _skip(text, index + 1)
                continue
            if text[index : index + 1] != "]":
                raise ValueError(f"expected ',' or ']' at character {index}")
            closed = True
        index += 1
    else:
        try:
            _, index = _DECODER.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{exc.msg} at character {exc.pos}") from None
    spans[path] = (start, index)
    return index


def replace_values(
    text: str,
    replacements: Mapping[Path, Any],
    spans: Mapping[Path, tuple[int, int]] | None = None,
) -> str:
    """``text`` with the value at each path replaced by the compact JSON of its new value.

    ``spans`` are :func:`value_spans` of ``text`` when the caller already has them.
    """
    if not replacements:
        return text
    if spans is None:
        spans = value_spans(text)
    edits = sorted(
        ((spans[path], value) for path, value in replacements.items()),
        key=lambda edit: edit[0],
        reverse=True,
    )
    for (start, end), value in edits:
        text = text[:start] + json.dumps(value, ensure_ascii=False) + text[end:]
    return text
