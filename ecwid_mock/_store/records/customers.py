"""Customer records and customer groups."""

from __future__ import annotations

from typing import Any

from .. import ids as _ids
from .pools import Pools, ecwid_date

__all__ = ["GENERAL_GROUP", "customer", "customer_group"]

#: Ecwid's built-in group: id 0, "General"; it is not a record of GET /customer_groups.
GENERAL_GROUP = (0, "General")


def customer_group(pools: Pools, name: str) -> dict[str, Any]:
    return {"id": _ids.entity_id(pools.rng, "customer_group"), "name": name}


def customer(
    pools: Pools, *, number: int, now: float, groups: list[tuple[int, str]]
) -> dict[str, Any]:
    """A registered customer; ``number`` makes the email unique in the store."""
    rng = pools.rng
    first, last = pools.person()
    domain = pools.pick(pools.domains)
    email = f"{_ascii(first)}.{_ascii(last)}{number}@{domain}".lower()
    registered = now - rng.random() * 700 * 86400
    group_id, group_name = (
        groups[0] if rng.random() < 0.8 or len(groups) == 1 else pools.pick(groups)
    )
    billing = pools.address(first, last)
    date = ecwid_date(registered)
    record: dict[str, Any] = {
        "id": _ids.entity_id(rng, "customer"),
        "email": email,
        "name": f"{first} {last}",
        "registered": date,
        "updated": date,
        "customerGroupId": group_id,
        "customerGroupName": group_name,
        "billingPerson": billing,
        "shippingAddresses": [
            {
                "id": _ids.entity_id(rng, "customer"),
                **billing,
                "addressFormatted": billing["street"],
            }
        ],
        "contacts": [{"contact": email, "type": "EMAIL", "default": True}],
        "taxExempt": False,
        "acceptMarketing": rng.random() < 0.4,
        "lang": pools.lang,
        "totalOrderCount": 0,
        "stats": {"numberOfOrders": 0, "salesValue": 0, "averageOrderValue": 0},
        "favorites": [],
    }
    return record


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum()) or "customer"
