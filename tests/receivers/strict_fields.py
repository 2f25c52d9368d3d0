"""Defect: reads the body into a fixed dataclass, so an unknown field is a 500."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import Receiver


@dataclass
class Envelope:
    eventId: str
    eventCreated: int
    storeId: int
    entityId: int | str
    eventType: str
    data: dict[str, Any] | None = None


class StrictFields(Receiver):
    def process(self, payload: dict[str, Any]) -> int:
        Envelope(**payload)  # TypeError on a field Ecwid adds later
        return super().process(payload)


app = StrictFields()
observe = app.observe
