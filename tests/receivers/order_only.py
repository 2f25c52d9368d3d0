"""Defect: refuses (400) every event type but order.* although the app subscribed to all."""

from __future__ import annotations

from typing import Any

from ._base import Receiver, Refused


class OrderOnly(Receiver):
    def process(self, payload: dict[str, Any]) -> int:
        if not str(payload["eventType"]).startswith("order."):
            raise Refused(400)
        return super().process(payload)


app = OrderOnly()
observe = app.observe
