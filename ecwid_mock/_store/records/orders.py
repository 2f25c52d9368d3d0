"""Order and abandoned-cart records whose items, totals and customer agree with the store."""

from __future__ import annotations

import functools
import random
from typing import Any

from .. import ids as _ids
from ..lifecycles import initial_order_statuses
from .pools import Pools, ecwid_date, money

__all__ = ["TAX_RATE", "USD_RATE", "cart", "order", "order_item", "totals"]

#: The seeded store charges one tax rate on top of its prices (pricesIncludeTax false).
TAX_RATE = 0.1
#: Store currency to USD, for ``usdTotal`` (Ecwid writes it unrounded).
USD_RATE = 1.0

_SHIPPING = (
    ("Standard", "USPS", 5, "SHIPPING"),
    ("Express", "UPS", 15, "SHIPPING"),
    ("Pickup", "", 0, "PICKUP"),
)


@functools.lru_cache(maxsize=16)
def _referer(store_id: int) -> str:
    return f"https://store{store_id}.company.site/"  # one string for all of a store's orders


def _ip(rng: random.Random, first: int) -> str:
    draw = rng.random
    return f"{first}.{int(draw() * 256)}.{int(draw() * 256)}.{int(draw() * 256)}"


def order_item(pools: Pools, product: dict[str, Any], quantity: int) -> dict[str, Any]:
    """One order line drawn from a product of the store (and one of its combinations, if any)."""
    price = product["price"]
    item: dict[str, Any] = {
        "id": _ids.entity_id(pools.rng, "order") * 10 + int(pools.rng.random() * 10),
        "productId": product["id"],
        "categoryId": product.get("defaultCategoryId", 0),
        "price": price,
        "productPrice": price,
        "priceWithoutTax": price,
        "costPrice": product.get("costPrice", 0),
        "sku": product["sku"],
        "name": product["name"],
        "nameTranslated": dict(product.get("nameTranslated", {})),
        "shortDescription": "",
        "quantity": quantity,
        "weight": product.get("weight", 0),
        "tax": money(price * quantity * TAX_RATE),
        "shipping": 0,
        "couponAmount": 0,
        "isShippingRequired": bool(product.get("isShippingRequired", True)),
        "trackQuantity": not product["unlimited"],
        "fixedShippingRateOnly": False,
        "fixedShippingRate": 0,
        "digital": False,
        "productAvailable": True,
        "couponApplied": False,
        "giftCard": False,
        "discountsAllowed": True,
        "taxable": True,
        "isCustomerSetPrice": False,
        "isPreorder": False,
    }
    if not product["unlimited"]:
        item["quantityInStock"] = int(product.get("quantity", 0))
    combinations = product.get("combinations") or []
    if combinations:
        combination = pools.pick(combinations)
        item["combinationId"] = combination["id"]
        item["sku"] = combination.get("sku", item["sku"])
        item["selectedOptions"] = [
            {"name": option["name"], "value": option["value"], "type": "CHOICE"}
            for option in combination["options"]
        ]
    return item


def totals(items: list[dict[str, Any]], shipping_rate: float) -> dict[str, Any]:
    """An order's money fields from its lines: subtotal + tax + shipping = total."""
    subtotal = money(sum(item["price"] * item["quantity"] for item in items))
    tax = money(sum(item.get("tax", 0) for item in items))
    total = money(subtotal + tax + shipping_rate)
    return {
        "subtotal": subtotal,
        "subtotalWithoutTax": subtotal,
        "total": total,
        "totalWithoutTax": money(total - tax),
        "tax": tax,
        "usdTotal": total * USD_RATE,
        "refundedAmount": 0,
        "giftCardRedemption": 0,
        "totalBeforeGiftCardRedemption": total,
        "giftCardDoubleSpending": False,
        "couponDiscount": 0,
        "volumeDiscount": 0,
        "membershipBasedDiscount": 0,
        "totalAndMembershipBasedDiscount": 0,
        "discount": 0,
        "customDiscount": [],
        "customSurcharges": [],
        "pricesIncludeTax": False,
    }


def _lines(pools: Pools, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = pools.rng
    count = 1 + int(rng.random() * rng.random() * 4)
    chosen: dict[int, dict[str, Any]] = {}
    for _ in range(count):
        product = pools.pick(products)
        chosen[product["id"]] = product
    return [
        order_item(pools, product, 1 + int(rng.random() * rng.random() * 4))
        for product in chosen.values()
    ]


_CUSTOMER_FIELDS = (
    ("customerGroupId", "customerGroupId"),
    ("customerGroup", "customerGroupName"),
    ("acceptMarketing", "acceptMarketing"),
)


def _buyer(
    pools: Pools, customer: dict[str, Any] | None, guest_number: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order's customer fields and its billing person: a registered customer's, or a guest's."""
    if customer is not None:
        # a seeded customer has every field; one made through the API or adopted from a
        # replayed event may hold only an email: what it lacks, the order leaves out
        fields = {"email": customer.get("email", ""), "customerId": customer["id"]}
        for field, source in _CUSTOMER_FIELDS:
            if source in customer:
                fields[field] = customer[source]
        person = customer.get("billingPerson") or {"name": customer.get("name", "")}
        return fields, dict(person)
    first, last = pools.person()
    email = f"guest{guest_number}.{last}@{pools.pick(pools.domains)}".lower()
    fields = {
        "email": email,
        "customerGroupId": 0,
        "customerGroup": "General",
        "acceptMarketing": False,
    }
    return fields, pools.address(first, last)


def order(
    pools: Pools,
    *,
    public_id: str,
    internal_id: int,
    now: float,
    products: list[dict[str, Any]],
    customer: dict[str, Any] | None,
    store_id: int,
) -> dict[str, Any]:
    """A placed order: lines from the store's products, totals that add up, the buyer's details."""
    rng = pools.rng
    items = _lines(pools, products)
    method, carrier, rate, fulfillment_type = pools.pick(list(_SHIPPING))
    created = now - rng.random() * 365 * 86400
    updated = created + rng.random() * min(30 * 86400, now - created)
    payment, fulfillment = initial_order_statuses(rng)
    if payment == "PAID" and rng.random() < 0.6:
        fulfillment = pools.pick(["PROCESSING", "SHIPPED", "DELIVERED"])
    buyer, person = _buyer(pools, customer, internal_id)
    record: dict[str, Any] = {
        "id": public_id,
        "internalId": internal_id,
        "orderNumber": internal_id,
        "vendorOrderNumber": public_id,
        "publicUid": public_id,
        **buyer,
        "ipAddress": _ip(rng, int(rng.random() * 223) + 1),
        "lang": pools.lang,
        **totals(items, rate),
        "paymentMethod": pools.pick(["Credit or debit card", "PayPal", "Phone order"]),
        "paymentModule": pools.pick(["Stripe", "PayPalStandard", "CUSTOM_PAYMENT_APP-my-pay-app"]),
        "paymentParams": {},
        "createDate": ecwid_date(created),
        "updateDate": ecwid_date(updated),
        "createTimestamp": int(created),
        "updateTimestamp": int(updated),
        "items": items,
        "billingPerson": person,
        "shippingPerson": dict(person),
        "shippingOption": {
            "shippingMethodId": f"{store_id % 10000}-{int(created) * 1000}",
            "shippingMethodName": method,
            "shippingRate": rate,
            "shippingRateWithoutTax": rate,
            "isPickup": fulfillment_type == "PICKUP",
            "fulfillmentType": fulfillment_type,
        },
        "refererUrl": _referer(store_id),
        "hidden": False,
        "customerTaxExempt": False,
        "customerTaxIdValid": False,
        "reversedTaxApplied": False,
        "paymentStatus": payment,
        "fulfillmentStatus": fulfillment,
        "disableAllCustomerNotifications": False,
        "externalFulfillment": False,
        "refunds": [],
        "invoices": [],
    }
    if carrier:
        record["shippingOption"]["shippingCarrierName"] = carrier
    if fulfillment in ("SHIPPED", "DELIVERED"):
        record["trackingNumber"] = f"9400{int(rng.random() * 10**18):018d}"
    return record


def cart(
    pools: Pools,
    *,
    now: float,
    products: list[dict[str, Any]],
    customer: dict[str, Any] | None,
    number: int,
) -> dict[str, Any]:
    """An abandoned cart: lines and totals like an order's, no statuses beyond INCOMPLETE."""
    rng = pools.rng
    items = _lines(pools, products)
    created = now - rng.random() * 14 * 86400
    updated = created + rng.random() * min(3600, now - created)
    buyer, person = _buyer(pools, customer, number)
    return {
        "cartId": _ids.cart_id(rng),
        **buyer,
        "ipAddress": _ip(rng, 10),
        "lang": pools.lang,
        **totals(items, 0),
        "paymentMethod": "Credit or debit card",
        "paymentParams": {},
        "createDate": ecwid_date(created),
        "updateDate": ecwid_date(updated),
        "createTimestamp": int(created),
        "updateTimestamp": int(updated),
        "items": items,
        "billingPerson": person,
        "shippingPerson": dict(person),
        "hidden": False,
        "paymentStatus": "INCOMPLETE",
    }
