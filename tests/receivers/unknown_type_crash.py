"""Defect: dispatches on a table of the documented event types; a new type is a KeyError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._base import Receiver


class UnknownTypeCrash(Receiver):
    def handler_for(self, event_type: str) -> Callable[[dict[str, Any]], None] | None:
        return self.handlers[event_type]


app = UnknownTypeCrash()
observe = app.observe
