"""How Ecwid entities live: the facts one entity keeps, and realistic next values.

An :class:`EntityState` holds what every event about one entity must agree on: its
``entityId`` and its *facts*, keyed by data field name without an ``old``/``new`` prefix
(``orderId``, ``PaymentStatus``, ``customerEmail`` ...). :func:`data_values` proposes values
for the next event's data fields; :func:`absorb` records what was sent, so the next
``order.updated`` has as old statuses the previous new ones.

Which fields an event has comes from its schema (``_catalog``); this module only knows what
the values *mean*: status transitions (facts section 3.2), subscription changes (3.9, 3.10),
review moderation (3.7), promotion versions (3.6). Fields it does not know are filled from
their schema by the factory.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import ids as _ids

__all__ = [
    "EntityState",
    "Source",
    "absorb",
    "base_name",
    "data_values",
    "initial_order_statuses",
    "new_state",
    "next_order_statuses",
    "state_from_payload",
]


class Source(Protocol):
    """What the lifecycles need from the factory: its random, its store and its customers."""

    @property
    def rng(self) -> random.Random: ...

    @property
    def store_id(self) -> int: ...

    def new_public_order_id(self) -> str: ...

    def draw_email(self) -> str: ...


@dataclass(eq=False)
class EntityState:
    """One entity's id and facts; shared by the events about it and by its handle."""

    entity: str
    entity_id: int | str
    facts: dict[str, Any] = field(default_factory=dict)


def base_name(name: str) -> str:
    """``newPaymentStatus`` -> ``PaymentStatus``; fields without old/new keep their name."""
    for prefix in ("old", "new"):
        if name.startswith(prefix) and name[len(prefix) : len(prefix) + 1].isupper():
            return name[len(prefix) :]
    return name


# data field name -> the fact it sets (None for old* values, which record the past).
_FACT_OF: dict[str, str | None] = {}


def _fact_of(name: str) -> str | None:
    fact = _FACT_OF.get(name, "")
    if fact == "":
        base = base_name(name)
        fact = None if name.startswith("old") and base != name else base
        if len(_FACT_OF) < 4096:  # field names come from schemas, but data may be anything
            _FACT_OF[name] = fact
    return fact


def absorb(state: EntityState, data: Mapping[str, Any] | None) -> None:
    """Remember the values an event sent: its new values become the entity's current ones."""
    if not isinstance(data, dict) and not isinstance(data, Mapping):
        return
    facts = state.facts
    for name, value in data.items():
        fact = _fact_of(name) if isinstance(name, str) else None
        if fact is not None:
            facts[fact] = value


def state_from_payload(entity: str, payload: Mapping[str, Any]) -> EntityState:
    """The state an earlier event left its entity in (for ``build(..., after=event)``)."""
    state = EntityState(entity, payload["entityId"])
    absorb(state, payload.get("data"))
    return state


def new_state(source: Source, entity: str) -> EntityState:
    """A fresh entity of this store, with an id in Ecwid's format for its family."""
    rng = source.rng
    entity_id: int | str
    if entity == "application":  # the store id as a string (facts 3.9)
        entity_id = str(source.store_id)
    elif entity == "profile":
        entity_id = source.store_id
    elif entity in ("order", "unfinished_order"):
        entity_id = _ids.internal_order_id(rng)
    else:
        entity_id = _ids.entity_id(rng, entity)
    return EntityState(entity, entity_id)


# --- order statuses (facts section 3.2) ---------------------------------------------------

_AWAITING = "AWAITING_PAYMENT"
_PAID = "PAID"
_NEW_ORDER = "AWAITING_PROCESSING"

# Custom statuses exist only where a merchant enabled them: rare in a realistic stream.
_CUSTOM_CHANCE = 0.01

# fulfillment -> (next fulfillment, weight) for a paid order moving through delivery.
_FULFILLMENT_NEXT: dict[str, tuple[tuple[str, int], ...]] = {
    "AWAITING_PROCESSING": (("PROCESSING", 1),),
    "PROCESSING": (("SHIPPED", 8), ("READY_FOR_PICKUP", 2)),
    "SHIPPED": (("OUT_FOR_DELIVERY", 3), ("DELIVERED", 7)),
    "OUT_FOR_DELIVERY": (("DELIVERED", 1),),
    "READY_FOR_PICKUP": (("DELIVERED", 1),),
}


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    """``rng.choices(names, weights)[0]``, drawn alike (one ``random()``) without its lists."""
    if len(options) == 1:
        return options[0][0]
    total = 0
    for _, weight in options:
        total += weight
    point = rng.random() * (total + 0.0)
    running = 0
    for name, weight in options[:-1]:  # bisect_right over the running sums, as choices()
        running += weight
        if running > point:
            return name
    return options[-1][0]


def initial_order_statuses(rng: random.Random) -> tuple[str, str]:
    """Statuses of a new order: paid online, or awaiting an offline payment (rarely custom)."""
    roll = rng.random()
    if roll < _CUSTOM_CHANCE:
        return f"CUSTOM_PAYMENT_STATUS_{rng.randint(1, 3)}", _NEW_ORDER
    if roll < 0.57:
        return _PAID, _NEW_ORDER
    return _AWAITING, _NEW_ORDER


def next_order_statuses(rng: random.Random, payment: str, fulfillment: str) -> tuple[str, str]:
    """A realistic next (payment, fulfillment); unchanged about a quarter of the time.

    ``order.updated`` fires on any order change (an address, a note), so the statuses are
    often the same. Otherwise: payment arrives or the order is cancelled; a paid order goes
    PROCESSING -> SHIPPED (or READY_FOR_PICKUP) -> OUT_FOR_DELIVERY -> DELIVERED; a
    delivered order is now and then returned and refunded.
    """
    roll = rng.random()
    if roll < 0.25:
        return payment, fulfillment
    if roll < 0.25 + _CUSTOM_CHANCE:
        return payment, f"CUSTOM_FULFILLMENT_STATUS_{rng.randint(1, 3)}"
    if payment in ("AWAITING_PAYMENT", "INCOMPLETE"):
        if rng.random() < 0.85:
            return _PAID, fulfillment
        return "CANCELLED", fulfillment
    if payment in ("CANCELLED", "REFUNDED"):
        return payment, "WILL_NOT_DELIVER" if fulfillment == _NEW_ORDER else fulfillment
    if payment == "PARTIALLY_REFUNDED":
        return ("REFUNDED" if rng.random() < 0.3 else payment), fulfillment
    if payment.startswith("CUSTOM_"):
        return _PAID, fulfillment
    # Paid.
    if fulfillment in _FULFILLMENT_NEXT:
        if fulfillment == _NEW_ORDER and rng.random() < 0.05:
            return "REFUNDED", "WILL_NOT_DELIVER"
        return payment, _weighted(rng, _FULFILLMENT_NEXT[fulfillment])
    if fulfillment == "DELIVERED":
        roll = rng.random()
        if roll < 0.1:
            return "REFUNDED", "RETURNED"
        if roll < 0.2:
            return "PARTIALLY_REFUNDED", fulfillment
        return payment, fulfillment
    if fulfillment == "RETURNED":
        return "REFUNDED", fulfillment
    return payment, fulfillment


def _order_values(
    source: Source, state: EntityState, action: str, wanted: Mapping[str, Any]
) -> dict[str, Any]:
    facts = state.facts
    if "orderId" not in facts:
        facts["orderId"] = source.new_public_order_id()
    values: dict[str, Any] = {"orderId": facts["orderId"]}
    if state.entity != "order":
        if "cartId" not in facts:
            facts["cartId"] = _ids.cart_id(source.rng)
        values["cartId"] = facts["cartId"]
        return values
    rng = source.rng
    if action == "created":
        pay, ful = initial_order_statuses(rng)
        values["newPaymentStatus"] = wanted.get("PaymentStatus", pay)
        values["newFulfillmentStatus"] = wanted.get("FulfillmentStatus", ful)
        return values
    if action != "updated":
        return values
    old_pay = facts.get("PaymentStatus")
    old_ful = facts.get("FulfillmentStatus")
    if old_pay is None or old_ful is None:  # continuing an order we did not see created
        first_pay, first_ful = initial_order_statuses(rng)
        old_pay = old_pay or first_pay
        old_ful = old_ful or first_ful
    if wanted:
        pay = wanted.get("PaymentStatus", old_pay)
        ful = wanted.get("FulfillmentStatus", old_ful)
    else:
        pay, ful = next_order_statuses(rng, old_pay, old_ful)
    values["oldPaymentStatus"] = old_pay
    values["newPaymentStatus"] = pay
    values["oldFulfillmentStatus"] = old_ful
    values["newFulfillmentStatus"] = ful
    return values


# --- other families -----------------------------------------------------------------------

# App subscription changes seen in practice (facts 3.9): a trial converts or lapses, a
# suspended app is paid again.
_APP_SUBSCRIPTION_NEXT: dict[str, tuple[tuple[str, int], ...]] = {
    "TRIAL": (("ACTIVE", 3), ("SUSPENDED", 1)),
    "ACTIVE": (("SUSPENDED", 1),),
    "SUSPENDED": (("ACTIVE", 1),),
}


# Store plan codes (facts 3.10): not an enum in the schema, since Ecwid adds and renames plans.
_STORE_PLANS = ("ECWID_FREE", "ECWID_VENTURE", "ECWID_BUSINESS", "ECWID_UNLIMITED")


def _change(rng: random.Random, current: Any, choices: tuple[Any, ...]) -> Any:
    others = [c for c in choices if c != current]
    return rng.choice(others) if others else current


def _subscription_values(
    source: Source, state: EntityState, wanted: Mapping[str, Any]
) -> dict[str, Any]:
    rng = source.rng
    if state.entity == "application":
        name = "SubscriptionStatus"
        old = state.facts.get(name) or _weighted(rng, (("TRIAL", 3), ("ACTIVE", 2)))
        new = wanted.get(name) or _weighted(rng, _APP_SUBSCRIPTION_NEXT.get(old, (("ACTIVE", 1),)))
    else:
        name = "SubscriptionName"
        plans = _STORE_PLANS
        old = state.facts.get(name) or rng.choice(plans)
        new = wanted.get(name) or _change(rng, old, plans)
    return {"old" + name: old, "new" + name: new}


def _review_values(
    source: Source, state: EntityState, action: str, wanted: Mapping[str, Any]
) -> dict[str, Any]:
    rng = source.rng
    facts = state.facts
    facts.setdefault("productId", _ids.entity_id(rng, "product"))
    facts.setdefault("orderId", _ids.internal_order_id(rng))
    status = facts.get("status")
    if "status" in wanted:
        status = wanted["status"]
    elif action == "created" or status is None:
        status = "MODERATED" if rng.random() < 0.7 else "PUBLISHED"
    elif action == "updated":
        status = "PUBLISHED" if status == "MODERATED" else "MODERATED"
    return {"productId": facts["productId"], "orderId": facts["orderId"], "status": status}


_NO_WISHES: Mapping[str, Any] = {}  # read, never written: one for every call without wishes


def data_values(
    source: Source,
    state: EntityState,
    action: str,
    wanted: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Proposed values for the data fields of the next event about ``state``'s entity.

    ``wanted`` pins facts (``{"PaymentStatus": "PAID"}``); only the fields the event's schema
    has are used, the others are dropped by the factory.
    """
    if wanted is None:
        wanted = _NO_WISHES
    entity = state.entity
    facts = state.facts
    if entity in ("order", "unfinished_order"):
        return _order_values(source, state, action, wanted)
    if action == "subscriptionStatusChanged":
        return _subscription_values(source, state, wanted)
    if entity == "customer":
        if "customerEmail" in wanted:
            facts["customerEmail"] = wanted["customerEmail"]
        elif "customerEmail" not in facts:
            facts["customerEmail"] = source.draw_email()
        return {"customerEmail": facts["customerEmail"]}
    if entity == "review":
        return _review_values(source, state, action, wanted)
    if entity == "promotion":
        version = int(facts.get("version", 0))
        if action != "deleted" or not version:
            version += 1
        return {"version": wanted.get("version", version)}
    if entity == "invoice":
        if "orderId" not in facts:
            facts["orderId"] = wanted.get("orderId") or source.new_public_order_id()
        return {"orderId": facts["orderId"]}
    return dict(wanted)
