"""Hypothesis strategies for Ecwid webhook payloads and signed events, drawn from the schemas.

Use them in your own property tests::

    from hypothesis import given
    from ecwid_mock.strategies import events

    @given(events("order.updated"))
    def test_my_receiver_accepts_every_valid_order_update(event):
        assert my_receiver(event.body, event.headers).status_code == 200

Unlike :class:`ecwid_mock.EventFactory`, which makes *realistic* events, these explore the edges
of what the schema allows: unicode wherever a string may hold it, boundary integers (0, 2**31,
2**53 - 1, 2**63 - 1 ...), optional keys absent, null where allowed. ``strict=False`` draws from
the tolerant schema: documented older forms and unknown extra fields a receiver should accept.

Hypothesis is an optional dependency (``pip install ecwid-mock[test]``); nothing else in
ecwid-mock imports it. Strategies are built from the bundled schemas by a small recursive
builder (hypothesis-jsonschema does not read draft 2020-12) and keep no global state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "ecwid_mock.strategies needs Hypothesis: pip install hypothesis "
        "(or pip install 'ecwid-mock[test]')"
    ) from exc

from ._events.event import Event
from ._events.signing import Secret, sign
from ._schemas.catalog import all_event_types, event_info, schema_for
from ._schemas.nodes import ALL_TYPES, Node, Schema, alternatives, merge

__all__ = ["events", "payloads"]

# Integers at which receivers break: 32-bit and 53-bit (JavaScript) limits, Java's long.
_INT_EDGES = (0, 1, 2**31 - 1, 2**31, 2**32, 2**53 - 1, 2**53, 2**63 - 1)
_INT_MAX = 2**63 - 1
_INT_MIN = -(2**63)

_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=_INT_MIN, max_value=_INT_MAX),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)


def _types(event_type: str | Sequence[str] | None) -> list[str]:
    if event_type is None:
        return list(all_event_types())
    names = [event_type] if isinstance(event_type, str) else list(event_type)
    # event_info raises UnknownEventType with suggestions for a misspelt name.
    return [event_info(name).event_type for name in names]


def payloads(
    event_type: str | Sequence[str] | None = None, *, strict: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Payload dicts valid against the (strict or tolerant) schema of ``event_type``.

    ``event_type`` is one type, several, or ``None`` for every type (undocumented ones too).
    Keys come in Ecwid's order: eventId, eventCreated, storeId, entityId, eventType, data.
    """
    strategies = [_from_parts([schema_for(name, strict=strict)]) for name in _types(event_type)]
    return st.one_of(strategies)


def events(
    event_type: str | Sequence[str] | None = None,
    *,
    strict: bool = True,
    client_secret: str | bytes | Secret | None = None,
) -> st.SearchStrategy[Event]:
    """Signed :class:`ecwid_mock.Event` objects with bodies drawn by :func:`payloads`.

    Signed with ``client_secret``, or with the factory's documented test secret.
    """
    from ._events.signing import TEST_CLIENT_SECRET

    secret = Secret(client_secret if client_secret is not None else TEST_CLIENT_SECRET)

    def signed(payload: dict[str, Any]) -> Event:
        signature = sign(payload["eventCreated"], str(payload["eventId"]), secret)
        return Event.from_payload(payload, signature=signature)

    return payloads(event_type, strict=strict).map(signed)


# --- the builder ------------------------------------------------------------------------------


def _from_parts(parts: Sequence[Schema]) -> st.SearchStrategy[Any]:
    """Values satisfying every schema in ``parts``; one branch per anyOf alternative."""
    options = alternatives({"allOf": list(parts)})
    strategies = [_from_node(merge(option)) for option in options]
    return strategies[0] if len(strategies) == 1 else st.one_of(strategies)


def _from_node(node: Node) -> st.SearchStrategy[Any]:
    if node.enum is not None:
        return st.sampled_from(node.enum) if node.enum else st.nothing()
    if node.types == ALL_TYPES and not node.properties:
        return _JSON
    by_type: list[st.SearchStrategy[Any]] = []
    for kind in ("object", "string", "integer", "number", "boolean", "null", "array"):
        if kind not in node.types or (kind == "number" and "integer" in node.types):
            continue
        by_type.append(_BUILDERS[kind](node))
    return st.one_of(by_type) if by_type else st.nothing()


def _integers(node: Node) -> st.SearchStrategy[Any]:
    low = _INT_MIN if node.minimum is None else int(node.minimum)
    high = _INT_MAX if node.maximum is None else int(node.maximum)
    edges = sorted({e for e in (*_INT_EDGES, -1, low, low + 1, high) if low <= e <= high})
    return st.one_of(st.sampled_from(edges), st.integers(min_value=low, max_value=high))


def _numbers(node: Node) -> st.SearchStrategy[Any]:
    return st.floats(
        min_value=node.minimum, max_value=node.maximum, allow_nan=False, allow_infinity=False
    )


def _strings(node: Node) -> st.SearchStrategy[Any]:
    if node.patterns:
        first, *others = node.patterns
        compiled = [re.compile(p) for p in others]
        strategy: st.SearchStrategy[str] = st.from_regex(first, fullmatch=True)
        if compiled:
            strategy = strategy.filter(lambda text: all(c.search(text) for c in compiled))
    elif node.format == "email":
        strategy = st.emails()
    else:
        strategy = st.text(min_size=node.min_length, max_size=node.max_length)
    low, high = node.min_length, node.max_length
    if low or high is not None:
        strategy = strategy.filter(lambda text: low <= len(text) <= (high or len(text)))
    return strategy


def _objects(node: Node) -> st.SearchStrategy[Any]:
    order = list(node.properties)
    required = {
        name: _from_parts(specs) for name, specs in node.properties.items() if name in node.required
    }
    optional = {
        name: _from_parts(specs)
        for name, specs in node.properties.items()
        if name not in node.required
    }
    fixed = st.fixed_dictionaries(required, optional=optional)
    if not node.closed:
        # Tolerant: fields Ecwid may add later, which a receiver must ignore.
        extra = st.dictionaries(
            st.text(min_size=1, max_size=12).filter(lambda key: key not in node.properties),
            _JSON,
            max_size=2,
        )
        fixed = st.tuples(fixed, extra).map(lambda pair: {**pair[0], **pair[1]})

    def in_schema_order(value: dict[str, Any]) -> dict[str, Any]:
        known = {name: value[name] for name in order if name in value}
        return {**known, **{k: v for k, v in value.items() if k not in known}}

    return fixed.map(in_schema_order)


def _booleans(node: Node) -> st.SearchStrategy[Any]:
    return st.booleans()


def _nulls(node: Node) -> st.SearchStrategy[Any]:
    return st.none()


def _arrays(node: Node) -> st.SearchStrategy[Any]:
    return st.lists(_JSON_SCALARS, max_size=3)


_BUILDERS: Mapping[str, Any] = {
    "object": _objects,
    "string": _strings,
    "integer": _integers,
    "number": _numbers,
    "boolean": _booleans,
    "null": _nulls,
    "array": _arrays,
}
