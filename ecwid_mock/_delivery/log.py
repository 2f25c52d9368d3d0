"""``DeliveryLog``: the list-like record of every delivery a test made (model: respx's CallList)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, overload

from .._errors import DeliveryAssertionError

if TYPE_CHECKING:
    from .record import Delivery

__all__ = ["DeliveryLog"]


class DeliveryLog:
    """Deliveries in the order they were sent. Retries update the same ``Delivery`` in place."""

    def __init__(self) -> None:
        self._items: list[Delivery] = []

    def record(self, delivery: Delivery) -> None:
        self._items.append(delivery)

    def clear(self) -> None:
        self._items.clear()

    @overload
    def __getitem__(self, index: int) -> Delivery: ...

    @overload
    def __getitem__(self, index: slice) -> list[Delivery]: ...

    def __getitem__(self, index: int | slice) -> Delivery | list[Delivery]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._items)

    @property
    def called(self) -> bool:
        """True once anything was sent."""
        return bool(self._items)

    @property
    def count(self) -> int:
        return len(self._items)

    call_count = count

    @property
    def last(self) -> Delivery:
        """The most recent delivery; a clear assertion error when nothing was sent yet."""
        if not self._items:
            raise DeliveryAssertionError("ecwid-mock: no delivery was made yet")
        return self._items[-1]

    def of_type(self, event_type: str) -> list[Delivery]:
        return [d for d in self._items if d.event.event_type == event_type]

    def describe(self) -> str:
        """Every delivery on its own line, for assertion messages."""
        if not self._items:
            return "  (no deliveries)"
        return "\n".join(f"  {i}. {d!r}" for i, d in enumerate(self._items, 1))

    def assert_all_delivered(self) -> None:
        """Fail, listing what happened, unless every delivery so far was accepted."""
        __tracebackhide__ = True
        failed = [d for d in self._items if not d.delivered]
        if not self._items:
            raise DeliveryAssertionError("ecwid-mock: expected deliveries, but none was made")
        if failed:
            raise DeliveryAssertionError(
                f"ecwid-mock: {len(failed)} of {len(self._items)} deliveries were not accepted "
                f"(Ecwid counts only 200, 201, 202, 204 and 209):\n{self.describe()}\n\n"
                + "\n\n".join(d.explain("to be delivered") for d in failed[:3])
            )

    def __repr__(self) -> str:
        return f"<DeliveryLog {len(self._items)} deliveries>"
