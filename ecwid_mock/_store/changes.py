"""Changes as data: each write to the store names the webhook Ecwid would fire for it.

A :class:`Change` is what the store hands its listeners after every write (REST or Python):
the event type, the ``entityId`` and the ``data`` Ecwid's webhook would carry, plus who wrote
and through which endpoint. The store knows nothing of delivery; whoever joins the store to a
sender turns changes into events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Change", "feedback_writes"]


@dataclass(frozen=True)
class Change:
    """One write, and the webhook it fires.

    ``actor`` is who wrote: ``"store"`` for the Python API (the merchant, Ecwid itself) or the
    app's name for a REST call with its token. ``endpoint`` is the REST endpoint id of
    ``schemas/rest/api.json`` whose facts named the webhook (``orders.update`` ...).
    """

    event_type: str
    entity_id: int | str
    data: Mapping[str, Any] | None
    endpoint: str
    actor: str = "store"
    timestamp: float = 0.0
    key: int | str = field(default="", compare=False)

    @property
    def entity(self) -> str:
        return self.event_type.partition(".")[0]


def feedback_writes(
    changes: Iterable[Change], actor: str, *, subscribed: Iterable[str] | None = None
) -> list[Change]:
    """The writes by ``actor`` that fire an event ``actor`` itself receives: an update loop.

    A receiver that answers ``order.updated`` by updating the order makes Ecwid send another
    ``order.updated``; each such write is returned, in order. ``subscribed`` limits the events
    the actor receives (default: all of them). A healthy handler makes none, or stops after one.
    """
    wanted = None if subscribed is None else set(subscribed)
    return [
        change
        for change in changes
        if change.actor == actor and (wanted is None or change.event_type in wanted)
    ]
