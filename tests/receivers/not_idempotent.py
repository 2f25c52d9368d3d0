"""Defect: processes every delivery, duplicates included (no deduplication by eventId)."""

from __future__ import annotations

from typing import Any

from ._base import Receiver


class NotIdempotent(Receiver):
    def process(self, payload: dict[str, Any]) -> int:
        handler = self.handler_for(payload["eventType"])
        if handler is not None:
            handler(payload)
        self.effects[payload["eventId"]] += 1
        return self.success_status


app = NotIdempotent()
observe = app.observe
