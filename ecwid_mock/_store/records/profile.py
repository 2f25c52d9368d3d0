"""The store profile and the installed application (subscription, scopes, storage)."""

from __future__ import annotations

from typing import Any

from .pools import Pools, ecwid_date

__all__ = ["profile"]


def profile(pools: Pools, *, store_id: int, now: float, prefix: str, suffix: str) -> dict[str, Any]:
    first, last = pools.person()
    name = (
        f"{pools.pick(pools.words).capitalize()} {pools.pick(['Goods', 'Shop', 'Store', 'Market'])}"
    )
    return {
        "generalInfo": {
            "storeId": store_id,
            "storeUrl": f"https://store{store_id}.company.site/products",
            "websitePlatform": "instantsite",
        },
        "account": {
            "accountName": f"{first} {last}",
            "accountNickName": first,
            "accountEmail": f"{first}.{last}@{pools.pick(pools.domains)}".lower(),
            "whiteLabel": False,
            "suspended": False,
            "availableFeatures": ["API", "CUSTOMER_GROUPS", "DISCOUNT_COUPONS", "PRODUCT_REVIEWS"],
            "registrationDate": ecwid_date(now - 900 * 86400),
        },
        "settings": {
            "closed": False,
            "storeName": name,
            "storeDescription": pools.pick(pools.sentences),
        },
        "formatsAndUnits": {
            "currency": "USD",
            "currencyPrefix": "$",
            "currencySuffix": "",
            "currencyPrecision": 2,
            "currencyGroupSeparator": ",",
            "currencyDecimalSeparator": ".",
            "currencyTruncateZeroFractional": False,
            "currencyRate": 1,
            "weightUnit": "KILOGRAM",
            "timezone": "UTC",
            "dimensionsUnit": "CM",
            "orderNumberPrefix": prefix,
            "orderNumberSuffix": suffix,
        },
        "languages": {"enabledLanguages": [pools.lang], "defaultLanguage": pools.lang},
    }
