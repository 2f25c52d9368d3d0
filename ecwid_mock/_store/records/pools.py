"""What every record builder shares: a seeded random, name pools drawn once from Faker, formats."""

from __future__ import annotations

import copy
import functools
import random
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Pools", "ecwid_date", "money"]

# How many values each pool holds: enough variety for realistic data, cheap to draw (Faker
# costs tens of microseconds a call; 10,000 orders must seed in well under two seconds).
_POOL_SIZE = 128


def ecwid_date(timestamp: float) -> str:
    """Ecwid's body date format: ``2024-09-04 07:22:09 +0000`` (UTC)."""
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(int(timestamp)))


def money(value: float) -> float | int:
    """Money as Ecwid writes it: two decimals, whole values without a fraction (20, not 20.0)."""
    rounded = round(value + 0.0, 2)
    return int(rounded) if rounded == int(rounded) else rounded


@dataclass
class Pools:
    """A seeded random and pools of Faker values in one locale, drawn on creation."""

    rng: random.Random
    locale: str
    first_names: list[str] = field(default_factory=list)
    last_names: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)
    cities: list[tuple[str, str, str]] = field(default_factory=list)  # city, postcode, region
    words: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    country_code: str = "US"
    country_name: str = "United States"
    lang: str = "en"

    @classmethod
    def draw(cls, seed: int, locale: str) -> Pools:
        """Pools for ``seed`` and ``locale``; the Faker draws are made once per process."""
        drawn = _drawn(seed, locale)
        pools = cls(rng=random.Random(seed), locale=locale)
        for name, value in drawn.__dict__.items():
            if name not in ("rng", "locale"):
                setattr(pools, name, copy.copy(value))
        return pools

    @classmethod
    def _draw(cls, seed: int, locale: str) -> Pools:
        from faker import Faker

        from ..._errors import InvalidOption

        try:
            faker = Faker(locale)
        except AttributeError:
            raise InvalidOption(
                "locale", locale, "one of Faker's locales, e.g. en_US, de_DE"
            ) from None
        faker.seed_instance(seed)
        pools = cls(rng=random.Random(seed), locale=locale)
        n = _POOL_SIZE
        pools.first_names = [faker.first_name() for _ in range(n)]
        pools.last_names = [faker.last_name() for _ in range(n)]
        pools.streets = [faker.street_address() for _ in range(n)]
        pools.cities = [_city(faker) for _ in range(n // 4)]
        pools.words = sorted({w.lower() for w in faker.words(n * 2, unique=False) if w.isalpha()})
        pools.sentences = [faker.sentence(nb_words=10) for _ in range(n // 4)]
        pools.domains = sorted({faker.free_email_domain() for _ in range(16)})
        pools.country_code = faker.current_country_code()
        pools.country_name = _country_name(faker, pools.country_code)
        pools.lang = locale.split("_")[0]
        return pools

    def pick(self, values: list[Any]) -> Any:
        return values[int(self.rng.random() * len(values))]

    def person(self) -> tuple[str, str]:
        return self.pick(self.first_names), self.pick(self.last_names)

    def address(self, first: str, last: str) -> dict[str, Any]:
        """A PersonInfo: the name and one address of this locale."""
        city, postcode, region = self.pick(self.cities)
        person: dict[str, Any] = {
            "name": f"{first} {last}",
            "firstName": first,
            "lastName": last,
            "street": self.pick(self.streets),
            "city": city,
            "countryCode": self.country_code,
            "countryName": self.country_name,
            "postalCode": postcode,
            "phone": f"+1555{int(self.rng.random() * 10_000_000):07d}",
        }
        if region:
            person["stateOrProvinceName"] = region
        return person

    def product_name(self) -> str:
        return f"{self.pick(self.words).capitalize()} {self.pick(self.words)}"


@functools.lru_cache(maxsize=8)
def _drawn(seed: int, locale: str) -> Pools:
    return Pools._draw(seed, locale)


def _city(faker: Any) -> tuple[str, str, str]:
    """A city, its postcode and its region's name (Faker cannot pair regions with their codes)."""
    region = ""
    provider = getattr(faker, "administrative_unit", None)
    if provider is not None:
        try:
            region = str(provider())
        except (AttributeError, NotImplementedError):  # pragma: no cover - locale gaps
            region = ""
    return str(faker.city()), str(faker.postcode()), region


def _country_name(faker: Any, code: str) -> str:
    names = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France"}
    if code in names:
        return names[code]
    try:
        return str(faker.current_country())
    except (AttributeError, ValueError):  # pragma: no cover - locale gaps
        return code
