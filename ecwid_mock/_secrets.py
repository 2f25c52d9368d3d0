"""Secrets masked by value wherever ecwid-mock produces text.

A client secret or token given to any part of ecwid-mock is registered here; :func:`mask`
replaces every registered value, anything shaped like an Ecwid token (``secret_...``,
``public_...``) and the values of secret-looking URL query parameters (``token``, ``key``,
``secret``, ``signature``, ``password``...) with ``********``. Exceptions, reprs, reports,
JSON and the pytest plugin's output all pass through it, so a secret that reaches a message
by a path nobody foresaw is still not shown.
"""

from __future__ import annotations

import re
import threading

__all__ = ["MASK", "MaskedStr", "generation", "mask", "register"]

MASK = "********"

#: Ecwid's access tokens: ``secret_`` or ``public_`` and a long random tail.
_TOKENS = re.compile(r"\b(?:secret|public)_[A-Za-z0-9]{8,}")
#: Query values that carry credentials (``?token=...``, ``&api_key=...``).
_QUERY = re.compile(
    r"(?i)([?&;](?:access_?token|token|api_?key|key|client_?secret|secret|signature|sig|"
    r"password|passwd|pass|auth)=)[^&#;\s'\"<>]*"
)
_MIN_LENGTH = 8  # shorter values could be ordinary words (real client secrets are longer)
_MAX_KEPT = 512

_lock = threading.Lock()
_values: dict[str, None] = {}  # insertion-ordered; the oldest go first past _MAX_KEPT
_generation = 0  # counts changes to _values, so a masked text can be kept until the next


def generation() -> int:
    """A number that changes whenever a secret is registered: masks made before may be stale."""
    return _generation


def register(value: str | bytes) -> None:
    """Remember ``value`` as a secret: :func:`mask` hides it from now on."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return
    if len(value) < _MIN_LENGTH:
        return
    global _generation
    with _lock:
        _values.pop(value, None)
        _values[value] = None
        while len(_values) > _MAX_KEPT:
            del _values[next(iter(_values))]
        _generation += 1


def mask(text: str) -> str:
    """``text`` with every registered secret and token-shaped value replaced by the mask."""
    if not text:
        return text
    with _lock:
        values = sorted(_values, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    text = _TOKENS.sub(MASK, text)
    return _QUERY.sub(lambda m: m.group(1) + MASK, text)


class MaskedStr(str):
    """A ``str`` that is the secret's text but whose ``repr`` is the mask.

    For values handed to user code as plain strings (the ``ecwid_client_secret`` fixture):
    they compare, hash, encode and concatenate as the secret, yet ``pytest -l``, debuggers and
    ``print(repr(...))`` show ``'********'``. ``str()`` and f-strings give the real text, as
    a string must; :func:`mask` still hides it wherever ecwid-mock prints.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> MaskedStr:
        register(value)
        return super().__new__(cls, value)

    def __repr__(self) -> str:
        return repr(MASK)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (MASK,))  # a pickled copy (xdist, caches) never carries the secret
