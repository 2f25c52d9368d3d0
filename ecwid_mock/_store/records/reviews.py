"""Product reviews, written by the store's customers about its products."""

from __future__ import annotations

from typing import Any

from .. import ids as _ids
from .pools import Pools, ecwid_date

__all__ = ["review"]


def review(
    pools: Pools,
    *,
    now: float,
    product: dict[str, Any],
    customer: dict[str, Any],
    order_id: str | None,
) -> dict[str, Any]:
    """A review; ``status`` is G3's lower case (``published``/``moderated``)."""
    rng = pools.rng
    created = now - rng.random() * 120 * 86400
    record: dict[str, Any] = {
        "id": _ids.entity_id(rng, "review"),
        "status": "published" if rng.random() < 0.7 else "moderated",
        "rating": 1 + int(rng.random() ** 0.5 * 5 - 1e-9),
        "productId": product["id"],
        "customerId": customer["id"],
        "review": pools.pick(pools.sentences),
        "reviewerInfo": {
            "name": customer["name"],
            "email": customer["email"],
            "city": customer["billingPerson"].get("city", ""),
            "country": customer["billingPerson"].get("countryName", ""),
            "orders": customer["totalOrderCount"],
        },
        "createDate": ecwid_date(created),
        "updateDate": ecwid_date(created),
        "createTimestamp": int(created),
        "updateTimestamp": int(created),
    }
    if order_id is not None:
        record["orderId"] = order_id
    return record
