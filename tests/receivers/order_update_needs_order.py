"""Defect: an order.updated for an order it has not seen fails with 500, for ever.

A negative cache: the first lookup of an unknown order is remembered as "no such order" and
order.created never clears it, so Ecwid's retries fail too.
"""

from __future__ import annotations

from typing import Any

from ._base import Receiver


class OrderUpdateNeedsOrder(Receiver):
    def __init__(self) -> None:
        super().__init__()
        self.missing_orders: set[int] = set()

    def order_updated(self, payload: dict[str, Any]) -> None:
        order_id = payload["entityId"]
        if order_id in self.missing_orders or order_id not in self.orders:
            self.missing_orders.add(order_id)
            raise LookupError(f"order {order_id} does not exist")
        self.orders[order_id].update(payload.get("data") or {})


app = OrderUpdateNeedsOrder()
observe = app.observe
