"""Ecwid's id formats (facts: ecwid-webhooks.md section 8.1), drawn from a ``random.Random``.

Every function takes the caller's ``random.Random`` so that a seeded factory gives the same ids
in any process. UUIDs are formatted by hand from ``getrandbits`` (four times faster than
``uuid.UUID``), with the version-4 and variant bits set as ``uuid.uuid4()`` would.
"""

from __future__ import annotations

import random
import string

__all__ = [
    "ENTITY_ID_DIGITS",
    "PUBLIC_ORDER_ID_ALPHABET",
    "cart_id",
    "entity_id",
    "event_id",
    "internal_order_id",
    "public_order_id",
    "store_id",
]

# Upper-case letters and digits, as in XJ12H, B8HGD, K8XTQ.
PUBLIC_ORDER_ID_ALPHABET = string.ascii_uppercase + string.digits

# entity family -> (fewest, most) decimal digits of its ids, from the examples in section 8.1.
# product_class and size_chart ids are not documented; they follow the catalogue's 8-9 digits.
ENTITY_ID_DIGITS: dict[str, tuple[int, int]] = {
    "order": (9, 9),
    "unfinished_order": (9, 9),
    "product": (8, 9),
    "category": (8, 9),
    "customer": (7, 10),
    "customer_group": (7, 7),
    "discount_coupon": (9, 9),
    "promotion": (6, 6),
    "review": (9, 9),
    "invoice": (7, 7),
    "product_class": (6, 8),
    "size_chart": (8, 9),
}

# Store ids have 4 to 9 digits; most live stores have 7 to 9 (1421002, 34313483, 61882411).
_STORE_ID_DIGITS = (4, 5, 6, 7, 8, 9)
_STORE_ID_WEIGHTS = (1, 1, 2, 4, 8, 4)

# A version-4 UUID: 122 random bits, the version nibble 4 and the variant bits 10.
_KEEP_RANDOM = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_AND_VARIANT = (0x4000 << 64) | (0x8000 << 48)


_POWERS_OF_TEN: tuple[int, ...] = tuple(10**n for n in range(20))


def _digits(rng: random.Random, fewest: int, most: int) -> int:
    # random() rather than randrange(): 5x faster, and 53 bits cover 10-digit ids evenly.
    count = fewest + int(rng.random() * (most - fewest + 1))
    low = _POWERS_OF_TEN[count - 1]
    return low + int(rng.random() * (9 * low))


def store_id(rng: random.Random) -> int:
    """A store id of 4 to 9 digits, weighted towards the lengths seen in real stores."""
    (count,) = rng.choices(_STORE_ID_DIGITS, _STORE_ID_WEIGHTS)
    return _digits(rng, count, count)


def entity_id(rng: random.Random, entity: str) -> int:
    """A numeric id in the format of ``entity`` (9 digits when the family is unknown)."""
    fewest, most = ENTITY_ID_DIGITS.get(entity, (9, 9))
    return _digits(rng, fewest, most)


def internal_order_id(rng: random.Random) -> int:
    """The internal order id (webhook entityId, REST internalId): 9 digits."""
    return 100_000_000 + int(rng.random() * 900_000_000)


def public_order_id(rng: random.Random, prefix: str = "", suffix: str = "") -> str:
    """The public order id (data.orderId): 5 upper-case characters, with the store's affixes."""
    # rng.choices(alphabet, k=5), drawn alike (floor(random() * n) a character) without its
    # list: a third of the time
    pick, alphabet = rng.random, PUBLIC_ORDER_ID_ALPHABET
    n = len(alphabet)
    return (
        f"{prefix}{alphabet[int(pick() * n)]}{alphabet[int(pick() * n)]}"
        f"{alphabet[int(pick() * n)]}{alphabet[int(pick() * n)]}{alphabet[int(pick() * n)]}{suffix}"
    )


def _uuid4_hex(rng: random.Random) -> str:
    raw = ((rng.getrandbits(128) & _KEEP_RANDOM) | _VERSION_AND_VARIANT).to_bytes(16, "big")
    # 8-4-4-4-12 hex digits: bytes 4, then 2+2+2 (hex() puts the dashes), then 6; three hex
    # calls cost less than five slices of one 32-digit text
    return f"{raw[:4].hex()}-{raw[4:10].hex('-', 2)}-{raw[10:].hex()}"


def event_id(rng: random.Random) -> str:
    """A webhook eventId: a lower-case version-4 UUID."""
    return _uuid4_hex(rng)


def cart_id(rng: random.Random) -> str:
    """An abandoned cart id: an upper-case version-4 UUID."""
    return _uuid4_hex(rng).upper()
