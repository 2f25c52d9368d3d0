"""Discount coupons and promotions."""

from __future__ import annotations

from typing import Any

from .. import ids as _ids
from .pools import Pools, ecwid_date

__all__ = ["coupon", "promotion"]


def coupon(pools: Pools, *, now: float) -> dict[str, Any]:
    rng = pools.rng
    word = pools.pick(pools.words).upper()
    percent = rng.random() < 0.6
    created = now - rng.random() * 200 * 86400
    return {
        "id": _ids.entity_id(rng, "discount_coupon"),
        "name": f"{word.capitalize()} discount",
        "code": f"{word}{int(rng.random() * 90) + 10}",
        "discountType": "PERCENT" if percent else "ABS",
        "status": "ACTIVE" if rng.random() < 0.8 else "PAUSED",
        "discount": int(5 + rng.random() * 25) if percent else int(5 + rng.random() * 20),
        "launchDate": ecwid_date(created),
        "usesLimit": pools.pick(["UNLIMITED", "ONCEPERCUSTOMER", "SINGLE"]),
        "applicationLimit": "UNLIMITED",
        "repeatCustomerOnly": False,
        "creationDate": ecwid_date(created),
        "updateDate": ecwid_date(created),
        "orderCount": 0,
    }


def promotion(pools: Pools) -> dict[str, Any]:
    rng = pools.rng
    amount = int(5 + rng.random() * 20)
    threshold = int(20 + rng.random() * 80)
    return {
        "id": _ids.entity_id(rng, "promotion"),
        "name": f"{amount}% off orders over {threshold}",
        "enabled": rng.random() < 0.8,
        "discountBase": "SUBTOTAL",
        "discountType": "PERCENT",
        "amount": amount,
        "triggers": {"subtotal": threshold},
        "targets": {"all": True},
        "_version": 1,  # the store's own count, sent as the webhooks' data.version
    }
