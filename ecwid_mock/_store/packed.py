"""Records kept packed: their values in tuples, their keys in one shared shape per key list.

A seeded store of 100,000 orders held as plain dicts needs about 6 KB an order, most of it
dict tables (benchmarks/bench_store.py, S-RSS). Packed, an order is a tuple of its values
whose last item is its :class:`Shape` (the keys, and which values are packed dicts or lists),
and its leaves (strings, numbers) are the very objects the dict held. A packed record is
unpacked into the same dict, keys in the same order, so answers are byte for byte the same.

The store unpacks a record for good the first time it is read (:class:`Shelf`), and from then
on hands out that one live dict; searches read packed records in place (:class:`PackedView`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["PackedView", "Shape", "Shelf", "is_packed", "pack", "unpack"]


class Shape:
    """The keys of a packed dict (``None`` for a list) and the positions of its packed values."""

    __slots__ = ("index", "keys", "nested")

    def __init__(self, keys: tuple[str, ...] | None, nested: tuple[int, ...]) -> None:
        self.keys = keys
        self.nested = nested
        self.index = {key: n for n, key in enumerate(keys or ())}

    def __repr__(self) -> str:
        return f"<Shape {len(self.keys) if self.keys is not None else 'list'} nested={self.nested}>"


# One shape per (keys, nested positions): a store's records share a handful of them.
_shapes: dict[tuple[tuple[str, ...] | None, tuple[int, ...]], Shape] = {}


def _shape(keys: tuple[str, ...] | None, nested: tuple[int, ...]) -> Shape:
    found = _shapes.get((keys, nested))
    if found is None:
        found = _shapes.setdefault((keys, nested), Shape(keys, nested))
    return found


def is_packed(value: object) -> bool:
    return type(value) is tuple and bool(value) and type(value[-1]) is Shape


def _pack_at(values: list[Any], positions: Any) -> bool:
    """Pack, in place, the dicts and lists at ``positions``; False if one is neither."""
    for n in positions:
        value = values[n]
        kind = type(value)
        if kind is dict:
            if not value:
                values[n] = _EMPTY_DICT
                continue
            keys = tuple(value)
            shape = _by_keys.get(keys)
            if shape is not None and not shape.nested:  # the common case, made here at once
                packed = (*value.values(), shape)
            else:
                packed = _pack_dict(value, keys, shape)
        elif kind is list:
            if not value:
                values[n] = _EMPTY_LIST
                continue
            packed = _pack_list(value)
        else:
            return False
        values[n] = packed
    return True


def _nested_positions(values: list[Any]) -> tuple[int, ...]:
    return tuple(n for n, value in enumerate(values) if type(value) is dict or type(value) is list)


_all_of: dict[int, tuple[int, ...]] = {}  # every position of a list of n dicts or lists


def _pack_list(items: list[Any]) -> tuple[Any, ...]:
    values = list(items)
    size = len(values)
    nested = _all_of.get(size) or _all_of.setdefault(size, tuple(range(size)))
    if not _pack_at(values, nested):  # not only dicts and lists
        values = list(items)
        nested = _nested_positions(values)
        _pack_at(values, nested)
    values.append(_shape(None, nested))
    return tuple(values)


# The shape last seen for each key list: records of one builder share it, so packing them
# looks only at the values that were dicts or lists the first time.
_by_keys: dict[tuple[str, ...], Shape] = {}


def pack(record: dict[str, Any]) -> tuple[Any, ...]:
    """``record`` packed: a tuple of its values (nested dicts and lists packed too), its shape last.

    Keys must be strings (a store record's are). Values other than dicts and lists are kept as
    they are, and so may be a dict or list where the shape expects none: unpacking hands back
    that very object, which is all a record needs.
    """
    if not record:
        return _EMPTY_DICT
    keys = tuple(record)
    return _pack_dict(record, keys, _by_keys.get(keys))


def _pack_dict(
    record: dict[str, Any], keys: tuple[str, ...], shape: Shape | None
) -> tuple[Any, ...]:
    values = list(record.values())
    if shape is None or (shape.nested and not _pack_at(values, shape.nested)):
        values = list(record.values())  # not this shape after all: look at every value
        nested = _nested_positions(values)
        _pack_at(values, nested)
        shape = _by_keys[keys] = _shape(keys, nested)
    values.append(shape)
    return tuple(values)


def _unpack_value(packed: tuple[Any, ...]) -> Any:
    shape: Shape = packed[-1]
    if shape.keys is None:
        items = list(packed[:-1])
        for n in shape.nested:
            items[n] = _unpack_value(items[n])
        return items
    record = dict(zip(shape.keys, packed))
    keys = shape.keys
    for n in shape.nested:
        record[keys[n]] = _unpack_value(packed[n])
    return record


def unpack(packed: tuple[Any, ...]) -> dict[str, Any]:
    """The dict that :func:`pack` was given (a new one, equal to it, keys in the same order)."""
    record: dict[str, Any] = _unpack_value(packed)
    return record


_EMPTY_DICT: tuple[Any, ...] = (_shape((), ()),)
_EMPTY_LIST: tuple[Any, ...] = (_shape(None, ()),)


class PackedView(Mapping[str, Any]):
    """A packed record read in place, for searches: nothing is unpacked until it is read."""

    __slots__ = ("_packed", "_shape")

    def __init__(self, packed: tuple[Any, ...]) -> None:
        self._packed = packed
        self._shape: Shape = packed[-1]

    def __getitem__(self, key: str) -> Any:
        n = self._shape.index[key]
        value = self._packed[n]
        return _unpack_value(value) if n in self._shape.nested else value

    def get(self, key: str, default: Any = None) -> Any:
        n = self._shape.index.get(key)
        if n is None:
            return default
        value = self._packed[n]
        return _unpack_value(value) if n in self._shape.nested else value

    def __contains__(self, key: object) -> bool:
        return key in self._shape.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._shape.keys or ())

    def __len__(self) -> int:
        return len(self._shape.index)

    def __repr__(self) -> str:
        return f"PackedView({unpack(self._packed)!r})"


class Shelf(dict[Any, Any]):
    """A family's records by key: a packed one is unpacked for good when it is first read.

    ``shelf[key]`` always gives the record's one live dict; ``dict.get``/``values``/``items``
    give what is stored (a dict or a packed tuple), for the store's own readers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def __getitem__(self, key: Any) -> dict[str, Any]:
        value = dict.__getitem__(self, key)
        if type(value) is tuple:
            with self._lock:  # two threads reading it first must get the same dict
                value = dict.__getitem__(self, key)
                if type(value) is tuple:
                    value = unpack(value)
                    dict.__setitem__(self, key, value)
        return value  # type: ignore[no-any-return]

    def pack(self, keys: list[Any]) -> None:
        """Keep these records packed (only ones nobody outside the store holds yet)."""
        with self._lock:
            for key in keys:
                value = dict.__getitem__(self, key)
                if type(value) is dict:
                    dict.__setitem__(self, key, pack(value))

    def edit(self, key: Any, change: Callable[..., None], *args: Any, fields: Any = ()) -> None:
        """``change(record, *args)`` in place; a packed record is packed again after it.

        ``fields``: the nested parts ``change`` reads or writes; the others are kept packed
        as they are (a packed customer's order sums change ``stats`` only).
        """
        with self._lock:
            value = dict.__getitem__(self, key)
            if type(value) is dict:
                change(value, *args)
                return
            shape: Shape = value[-1]
            record = dict(zip(shape.keys or (), value))
            changed = [shape.index[name] for name in fields if shape.index[name] in shape.nested]
            for n in changed:
                record[shape.keys[n]] = _unpack_value(value[n])  # type: ignore[index]
            change(record, *args)
            values = list(record.values())
            if (
                tuple(record) == shape.keys
                and all(values[n] is value[n] for n in shape.nested if n not in changed)
                and _pack_at(values, changed)
            ):
                values.append(shape)
                dict.__setitem__(self, key, tuple(values))
                return
            # the change reshaped the record: unpack what is still packed, pack it all again
            whole = {k: _unpack_value(v) if is_packed(v) else v for k, v in record.items()}
            dict.__setitem__(self, key, pack(whole))

    def read(self, value: Any) -> Mapping[str, Any]:
        """A stored value, readable: the dict, or a view of the packed record."""
        return PackedView(value) if type(value) is tuple else value
