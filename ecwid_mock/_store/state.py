"""The mock store's state: one truth that REST answers (and the webhooks of its writes) come from.

:class:`StoreState` holds every record family as plain Ecwid REST dicts, the store profile and
the installed applications (token, scopes, subscribed events, storage). Writes go through
:meth:`StoreState.create`, :meth:`~StoreState.update` and :meth:`~StoreState.delete`, whether they
come from Python or from the REST API; each one appends a :class:`~ecwid_mock._store.changes.Change`
naming the webhook Ecwid would fire and hands it to every listener.

Time is the store's clock (a :class:`~ecwid_mock.VirtualClock` by default): record dates, the
search index lag and the ``deleted`` logs all read it, so tests never sleep.
"""

from __future__ import annotations

import copy
import random
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._clock import Clock, VirtualClock
from .._errors import InvalidOption
from . import ids as _ids
from .changes import Change
from .packed import Shelf, unpack
from .records import catalog, marketing, profile
from .records import customers as customer_records
from .records import orders as order_records
from .records import reviews as review_records
from .records.pools import Pools, ecwid_date

__all__ = ["FAMILIES", "App", "Family", "Records", "StoreKeyError", "StoreState", "all_scopes"]

Listener = Callable[[Change], None]


def all_scopes() -> tuple[str, ...]:
    """Every scope an endpoint of ``schemas/rest/api.json`` asks for (the default app's)."""
    from .._schemas.rest import api_facts

    seen: dict[str, None] = {"read_store_profile": None}
    for ep in api_facts()["endpoints"]:
        for need in ep["scopes"]:
            for scope in need.split("|"):
                seen.setdefault(scope, None)
    return tuple(seen)


@dataclass(frozen=True)
class Family:
    """One record family: its REST collection, its event entity and its key field."""

    name: str  # attribute of the store and REST collection: "orders", "customer_groups"
    entity: str  # event entity: "order", "customer_group"
    endpoint: str  # endpoint id prefix in schemas/rest/api.json: "orders", "customerGroups"
    schema: str  # schemas/rest file stem: "order"
    key: str = "id"
    not_found: str = "{name} #{id} not found"
    # G3's error table names no *_NOT_FOUND code for every family; those marked [L] are ours.
    error_code: str = "NOT_FOUND"


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "orders",
            "order",
            "orders",
            "order",
            not_found="Order #{id} not found",
            error_code="ORDER_NOT_FOUND",
        ),
        Family(
            "carts",
            "unfinished_order",
            "carts",
            "cart",
            key="cartId",
            not_found="Cart #{id} not found",
            error_code="CHECKOUT_NOT_FOUND",
        ),
        Family(
            "products",
            "product",
            "products",
            "product",
            not_found="Product #{id} not found",
            error_code="PRODUCT_NOT_FOUND",
        ),
        Family(
            "categories",
            "category",
            "categories",
            "category",
            not_found="Category #{id} not found",
            error_code="CATEGORIES_NOT_FOUND",
        ),
        Family(
            "customers", "customer", "customers", "customer", not_found="Customer #{id} not found"
        ),  # code [L]
        Family(
            "customer_groups",
            "customer_group",
            "customerGroups",
            "customer-group",
            not_found="Customer group #{id} not found",
        ),  # code [L]
        Family(
            "coupons",
            "discount_coupon",
            "coupons",
            "discount-coupon",
            not_found="Coupon is not found",
            error_code="DISCOUNT_COUPON_NOT_FOUND",
        ),
        Family(
            "promotions",
            "promotion",
            "promotions",
            "promotion",
            not_found="Promotion #{id} not found",
            error_code="PROMOTION_NOT_FOUND",
        ),
        Family(
            "classes",
            "product_class",
            "classes",
            "product-class",
            not_found="Product class #{id} not found",
        ),  # code [L]
        Family(
            "reviews",
            "review",
            "reviews",
            "product-review",
            not_found="Review #{id} not found",
            error_code="PRODUCT_REVIEW_NOT_FOUND",
        ),
    )
}


class StoreKeyError(KeyError):
    """No record of that family has that id; carries Ecwid's not-found message and code."""

    def __init__(self, records: Records, key: object) -> None:
        family = records.family
        self.message = family.not_found.format(id=key, name=family.name)
        self.error_code = family.error_code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class Records(Mapping[Any, dict[str, Any]]):
    """One family's records by id, read-only; ``deleted`` logs what was removed and when.

    Orders are found by public id (``K8XTQ``, with the store's prefix and suffix), by the id
    without them and by internal id (int or str), as Ecwid's ``GET /orders/{id}`` finds them.
    Seeded orders and customers are kept packed (:mod:`.packed`) until first read.
    """

    def __init__(self, family: Family) -> None:
        self.family = family
        self._items = Shelf()
        self._aliases: dict[Any, Any] = {}
        self._indexed_at: dict[Any, float] = {}
        # With a search lag: each updated or deleted record's versions, (visible from, version);
        # None is a deletion. Search shows the last version whose time has come.
        self._versions: dict[Any, list[tuple[float, dict[str, Any] | None]]] = {}
        self.deleted: list[dict[str, Any]] = []

    def resolve(self, key: object) -> Any | None:
        """The record key that ``key`` names (an alias or the key itself), or ``None``."""
        if key in self._items:
            return key
        found = self._aliases.get(key)
        if found is None and isinstance(key, str) and key.isdigit():
            found = self._aliases.get(int(key))
            if found is None and int(key) in self._items:
                found = int(key)
        return found

    def __getitem__(self, key: object) -> dict[str, Any]:
        found = self.resolve(key)
        if found is None:
            raise StoreKeyError(self, key)
        return self._items[found]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __contains__(self, key: object) -> bool:
        return self.resolve(key) is not None

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<Records {self.family.name}: {len(self)}>"

    def scan(self) -> Iterator[Mapping[str, Any]]:
        """Every record, to read only: packed ones are read in place, not unpacked for good."""
        read = self._items.read
        for record in dict.values(self._items):
            yield read(record)

    def plain_items(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        """``(key, record)`` for every record; a packed one is unpacked for the caller only."""
        for key, record in dict.items(self._items):
            yield key, (record if type(record) is dict else unpack(record))

    def indexed(self, now: float) -> Iterator[Mapping[str, Any]]:
        """The records a search sees at ``now``: as they were the store's search lag ago.

        A new record appears once the lag has passed; an updated one shows its old version
        until then, and a deleted one is still found (``GET`` by id sees every write at once).
        Packed records are read in place (a search does not unpack the whole store).
        """
        indexed_at, versions, read = self._indexed_at, self._versions, self._items.read
        for key, record in dict.items(self._items):
            if indexed_at and indexed_at.get(key, 0.0) > now:
                continue
            if key in versions:
                version = self._visible(key, now)
                if version is not None:
                    yield version
            else:
                yield read(record)
        for key in [k for k in versions if k not in self._items]:
            version = self._visible(key, now)
            if version is not None:
                yield version

    def _visible(self, key: Any, now: float) -> Mapping[str, Any] | None:
        versions = self._versions[key]
        due = [i for i, (since, _) in enumerate(versions) if since <= now]
        if not due:
            return None  # created, and changed, before the index showed it at all
        shown = due[-1]
        del versions[:shown]  # older versions will never be shown again
        version = versions[0][1]
        if len(versions) == 1:  # the index has caught up
            del self._versions[key]
            current = dict.get(self._items, key)
            return None if version is None or current is None else self._items.read(current)
        return version

    def _index_later(
        self, key: Any, before: dict[str, Any], after: dict[str, Any] | None, since: float
    ) -> None:
        """Search keeps showing ``before`` until ``since``, then ``after`` (None: deleted)."""
        start = self._indexed_at.get(key, float("-inf"))  # a new record shows from then on
        history = self._versions.setdefault(key, [(start, copy.deepcopy(before))])
        history.append((since, None if after is None else copy.deepcopy(after)))

    # -- writes: the store's only -------------------------------------------------------------

    def _put(
        self,
        key: Any,
        record: dict[str, Any],
        *,
        indexed_at: float = 0.0,
        aliases: Iterable[Any] = (),
    ) -> None:
        self._items[key] = record
        if indexed_at:
            self._indexed_at[key] = indexed_at
        for alias in aliases:
            self._aliases[alias] = key

    def _pop(self, key: Any) -> dict[str, Any]:
        record = self._items[key]  # unpacked, if it was packed
        del self._items[key]
        self._indexed_at.pop(key, None)
        for alias in [a for a, k in self._aliases.items() if k == key]:
            del self._aliases[alias]
        return record


@dataclass
class App:
    """An installed application: its token, scopes, subscribed events, subscription and storage."""

    name: str
    token: str
    scopes: frozenset[str]
    events: tuple[str, ...] = ()
    subscription_status: str = "ACTIVE"
    storage: dict[str, str] = field(default_factory=dict)
    installed: bool = True
    #: the app's ``public_...`` token (storefront data only), when it holds ``public_storefront``
    public_token: str | None = None
    #: set on the storefront view that a public token authorises: the app it belongs to
    public_of: App | None = None

    def __repr__(self) -> str:
        return (
            f"App(name={self.name!r}, token='{self.token[:7]}***', scopes={sorted(self.scopes)!r}, "
            f"events={self.events!r})"
        )

    def rest_record(self) -> dict[str, Any]:
        """What ``GET /application`` answers for this app."""
        return {"subscriptionStatus": self.subscription_status}


class StoreState:
    """One Ecwid store's records, profile and installed apps; writes fire change records.

    ``StoreState(seed=0)`` is an empty store with a seeded random: :meth:`seed` then fills it,
    always with the same records for the same seed, locale and calls.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        store_id: int | None = None,
        locale: str = "en_US",
        clock: Clock | None = None,
        order_prefix: str = "",
        order_suffix: str = "",
        search_lag: float = 0.0,
        scopes: Iterable[str] | None = None,
        app_name: str = "my-app",
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidOption("seed", seed, "an integer")
        if (
            isinstance(search_lag, bool)
            or not isinstance(search_lag, (int, float))
            or search_lag < 0
        ):
            raise InvalidOption("search_lag", search_lag, "seconds >= 0")
        self.seed_value = seed
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self._pools: Pools | None = None
        self._locale = locale
        self._rng = random.Random(seed)
        drawn = _ids.store_id(self._rng)  # drawn even when given: the token stays the seed's
        self.store_id: int = store_id if store_id is not None else drawn
        if (
            isinstance(self.store_id, bool)
            or not isinstance(self.store_id, int)
            or self.store_id < 1
        ):
            raise InvalidOption("store_id", store_id, "a positive integer")
        self.order_prefix = order_prefix
        self.order_suffix = order_suffix
        self.search_lag = float(search_lag)
        self.families = {name: Records(family) for name, family in FAMILIES.items()}
        self._profile: dict[str, Any] = {}
        self.apps: dict[str, App] = {}
        self._storefront: dict[str, App] = {}  # public token -> its app's storefront view
        self.changes: list[Change] = []
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._customer_count = 0
        self.add_app(app_name, scopes=scopes)

    # -- the families, by name ----------------------------------------------------------------

    @property
    def orders(self) -> Records:
        return self.families["orders"]

    @property
    def carts(self) -> Records:
        return self.families["carts"]

    @property
    def products(self) -> Records:
        return self.families["products"]

    @property
    def categories(self) -> Records:
        return self.families["categories"]

    @property
    def customers(self) -> Records:
        return self.families["customers"]

    @property
    def customer_groups(self) -> Records:
        return self.families["customer_groups"]

    @property
    def coupons(self) -> Records:
        return self.families["coupons"]

    @property
    def promotions(self) -> Records:
        return self.families["promotions"]

    @property
    def classes(self) -> Records:
        return self.families["classes"]

    @property
    def reviews(self) -> Records:
        return self.families["reviews"]

    @property
    def profile(self) -> dict[str, Any]:
        """The store profile (``GET /profile``), made on first use."""
        if not self._profile:
            self._profile = profile.profile(
                self.pools,
                store_id=self.store_id,
                now=self.clock.now(),
                prefix=self.order_prefix,
                suffix=self.order_suffix,
            )
        return self._profile

    @property
    def app(self) -> App:
        """The first installed app (the one whose token the fixtures hand out)."""
        return next(iter(self.apps.values()))

    @property
    def token(self) -> str:
        return self.app.token

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{name}={len(records)}" for name, records in self.families.items() if records
        )
        return f"<StoreState store_id={self.store_id} seed={self.seed_value} {counts}>"

    # -- apps ---------------------------------------------------------------------------------

    def add_app(
        self,
        name: str,
        *,
        scopes: Iterable[str] | None = None,
        events: Iterable[str] = (),
        token: str | None = None,
    ) -> App:
        """Install an app; its token (``secret_`` + 32 letters and digits) comes from the seed."""
        if token is None:
            alphabet = string.ascii_letters + string.digits
            token = "secret_" + "".join(self._rng.choices(alphabet, k=32))
        elif not token.startswith(("secret_", "public_")):
            raise InvalidOption(
                "token", token[:7] + "***", "a token that starts with secret_ or public_"
            )
        scope_set = frozenset(all_scopes() if scopes is None else scopes)
        app = App(
            name=name, token=token, scopes=scope_set | {"read_store_profile"}, events=tuple(events)
        )
        self.apps[token] = app
        if "public_storefront" in scope_set and token.startswith("secret_"):
            # drawn from the secret token, not from the store's random: no record changes
            draw = random.Random(token).choices(string.ascii_letters + string.digits, k=32)
            app.public_token = "public_" + "".join(draw)
            self._storefront[app.public_token] = App(
                name=name, token=app.public_token, scopes=frozenset(), public_of=app
            )
        return app

    def app_for(self, token: str) -> App | None:
        """The app ``token`` authorises (a public token's storefront view), if installed."""
        app = self.apps.get(token) or self._storefront.get(token)
        if app is None or not (app.public_of or app).installed:
            return None
        return app

    # -- listeners ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Listener:
        """Call ``listener(change)`` after every write, in order; returns it (a decorator too)."""
        self._listeners.append(listener)
        return listener

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        self.changes.append(change)
        for listener in list(self._listeners):
            listener(change)

    # -- seeding ------------------------------------------------------------------------------

    @property
    def pools(self) -> Pools:
        if self._pools is None:
            self._pools = Pools.draw(self.seed_value, self._locale)
            self._pools.rng = self._rng
        return self._pools

    def seed(
        self,
        *,
        orders: int = 0,
        products: int | None = None,
        customers: int | None = None,
        categories: int | None = None,
        carts: int = 0,
        customer_groups: int | None = None,
        coupons: int = 0,
        promotions: int = 0,
        classes: int = 0,
        reviews: int = 0,
    ) -> StoreState:
        """Add realistic records; orders draw their lines from products and buyers from customers.

        Counts left ``None`` follow what is asked for: orders need products (default 20 when
        there are none) and customers (one per three orders); products need categories (5).
        Seeding makes no change records: it is the store as it already was.
        """
        for name, value in locals().items():
            if (
                name != "self"
                and value is not None
                and (isinstance(value, bool) or not isinstance(value, int) or value < 0)
            ):
                raise InvalidOption(name, value, "a count >= 0")
        with self._lock:
            pools = self.pools
            now = self.clock.now()
            self.profile  # noqa: B018 - made before the records: the same draws every time
            need_products = orders or carts or reviews
            if products is None:
                products = 20 if need_products and not self.products else 0
            if categories is None:
                categories = 5 if products and not self.categories else 0
            if customer_groups is None:
                customer_groups = 2 if not self.customer_groups and (customers or orders) else 0
            if customers is None:
                customers = max(orders // 3, 1 if reviews else 0) if orders or reviews else 0
            self._seed_simple(
                "customer_groups", customer_groups, lambda n: customers_group(pools, n)
            )
            self._seed_simple("classes", classes, lambda n: catalog.product_class(pools))
            self._seed_simple(
                "categories",
                categories,
                lambda n: catalog.category(pools, store_id=self.store_id, order_by=10 * (n + 1)),
            )
            category_ids = list(self.categories)
            class_ids = list(self.classes) or [0]
            new_products = self._seed_simple(
                "products",
                products,
                lambda n: catalog.product(
                    pools,
                    store_id=self.store_id,
                    now=now,
                    category_ids=category_ids,
                    class_id=pools.pick(class_ids),
                ),
            )
            self._file_products([self.products[key] for key in new_products])
            groups = [
                customer_records.GENERAL_GROUP,
                *((g["id"], g["name"]) for g in self.customer_groups.values()),
            ]
            start = self._customer_count
            self._seed_simple(
                "customers",
                customers,
                lambda n: customer_records.customer(
                    pools, number=start + n + 1, now=now, groups=groups
                ),
                packed=True,
            )
            self._customer_count += customers
            # Seeded orders and customers are kept packed, read in place while seeding; what
            # the orders add to their buyers is summed up and written once, after them.
            product_list = list(self.products.values())
            customer_list = list(self.customers.scan())
            bought: dict[Any, list[Any]] = {}
            for _ in range(orders):
                buyer = (
                    pools.pick(customer_list)
                    if customer_list and pools.rng.random() < 0.85
                    else None
                )
                public, internal = self._new_order_ids()
                record = order_records.order(
                    pools,
                    public_id=public,
                    internal_id=internal,
                    now=now,
                    products=product_list,
                    customer=buyer,
                    store_id=self.store_id,
                )
                self._put_order(record)
                if buyer is not None:
                    _count_order(bought, buyer, record)
                self.orders._items.pack([public])  # no one else holds the new order
            for key, count in bought.items():
                self.customers._items.edit(key, _add_orders, *count, fields=("stats",))
            for n in range(carts):
                buyer = (
                    pools.pick(customer_list)
                    if customer_list and pools.rng.random() < 0.5
                    else None
                )
                record = order_records.cart(
                    pools, now=now, products=product_list, customer=buyer, number=n
                )
                # An unfinished order has order ids too (webhook entityId, data.orderId), though
                # GET /carts does not show them: kept as private fields.
                record["_orderId"], record["_internalId"] = self._new_order_ids()
                self.carts._put(record["cartId"], record)
            self._seed_simple("coupons", coupons, lambda n: marketing.coupon(pools, now=now))
            self._seed_simple("promotions", promotions, lambda n: marketing.promotion(pools))
            order_list = [o for o in self.orders.scan() if "customerId" in o]
            for _ in range(reviews):
                if not customer_list or not product_list:
                    break
                # Reviews come from buyers (a review webhook names its order).
                placed = pools.pick(order_list) if order_list else None
                if placed is not None:
                    author = self.customers[placed["customerId"]]
                    item = pools.pick(placed["items"])
                    product = self.products[item["productId"]]
                    order_id = placed["id"]
                else:
                    author, product, order_id = (
                        pools.pick(customer_list),
                        pools.pick(product_list),
                        None,
                    )
                record = review_records.review(
                    pools, now=now, product=product, customer=author, order_id=order_id
                )
                self.reviews._put(record["id"], record)
        return self

    def _seed_simple(
        self,
        family: str,
        count: int,
        build: Callable[[int], dict[str, Any]],
        *,
        packed: bool = False,
    ) -> list[Any]:
        """Add ``count`` records made by ``build``; their keys. ``packed``: keep them packed."""
        records = self.families[family]
        made = []
        for n in range(count):
            record = build(n)
            while record["id"] in records:  # ids are drawn at random: keep them unique
                record["id"] = _ids.entity_id(self._rng, FAMILIES[family].entity)
            records._put(record["id"], record, aliases=[record["code"]] if "code" in record else ())
            if packed:  # at once: a store of dicts packed later leaves its memory in holes
                records._items.pack([record["id"]])
            made.append(record["id"])
        return made

    def _file_products(self, products: list[dict[str, Any]]) -> None:
        for product in products:
            for category_id in product.get("categoryIds", ()):
                category = self.categories.get(category_id)
                if category is not None:
                    category["productIds"].append(product["id"])
                    category["productCount"] += 1
                    category["enabledProductCount"] += 1 if product["enabled"] else 0

    def _new_order_ids(self) -> tuple[str, int]:
        while True:
            public = _ids.public_order_id(self._rng, self.order_prefix, self.order_suffix)
            internal = _ids.internal_order_id(self._rng)
            if self.orders.resolve(public) is None and self.orders.resolve(internal) is None:
                return public, internal

    def _put_order(self, record: dict[str, Any], *, indexed_at: float = 0.0) -> None:
        public = record["id"]
        core = public[len(self.order_prefix) : len(public) - len(self.order_suffix) or None]
        internal = record["internalId"]
        # "123" finds the internal id 123 through resolve(); the public id is a key itself
        aliases = [internal] if core == public else [core, internal]
        self.orders._put(public, record, indexed_at=indexed_at, aliases=aliases)

    # -- writes -------------------------------------------------------------------------------

    def create(
        self,
        family: str,
        fields: Mapping[str, Any],
        *,
        actor: str = "store",
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Add a record (Ecwid fills ids and dates); fires the ``<entity>.created`` change.

        ``endpoint`` names the REST endpoint whose facts say which webhook fires (default: the
        family's create endpoint); ``actor`` is who wrote (``"store"``, or an app's name).
        """
        from . import writes

        with self._lock:
            return writes.create(
                self, self._family(family), dict(fields), actor=actor, endpoint_id=endpoint
            )

    def adopt(
        self, family: str, key: Any, *, internal_id: int | None = None, fields: Any = None
    ) -> dict[str, Any]:
        """The record with id ``key``, made quietly (no change fired) when it is missing.

        What a replayed capture names must exist for the receiver's fetch-back to find it:
        the record takes the capture's ids (an order's public id and ``internalId``).
        """
        from . import writes

        records = self._family(family)
        with self._lock:
            found = records.resolve(key)
            if found is not None:
                return records[found]
            ids: dict[str, Any] = {"id": key}
            if internal_id is not None:
                ids["internalId"] = internal_id
            return writes.create(
                self, records, dict(fields or {}), actor="store", ids=ids, quiet=True
            )

    def update(
        self,
        family: str,
        key: object,
        fields: Mapping[str, Any],
        *,
        actor: str = "store",
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Merge ``fields`` into a record, as a partial PUT does; fires ``<entity>.updated``."""
        from . import writes

        with self._lock:
            return writes.update(
                self, self._family(family), key, dict(fields), actor=actor, endpoint_id=endpoint
            )

    def delete(self, family: str, key: object, *, actor: str = "store") -> dict[str, Any]:
        """Remove a record (later GETs answer 404); fires ``<entity>.deleted``; returns it."""
        from . import writes

        with self._lock:
            return writes.delete(self, self._family(family), key, actor=actor)

    def _family(self, name: str) -> Records:
        records = self.families.get(name)
        if records is None:
            raise InvalidOption("family", name, f"one of {', '.join(self.families)}")
        return records

    def now_date(self) -> tuple[str, int]:
        now = self.clock.now()
        return ecwid_date(now), int(now)


def customers_group(pools: Pools, n: int) -> dict[str, Any]:
    names = ("Wholesale", "VIP", "Staff", "Retail", "Partners")
    return customer_records.customer_group(
        pools, names[n % len(names)] + ("" if n < len(names) else f" {n}")
    )


def _count_order(
    bought: dict[Any, list[Any]], customer: Mapping[str, Any], order: Mapping[str, Any]
) -> None:
    """Add an order to its buyer's sums: [orders, sales value, first and last order dates]."""
    count = bought.get(customer["id"])
    if count is None:
        stats = customer.get("stats", {})  # an adopted customer may have none yet
        count = [
            0,
            stats.get("salesValue", 0),
            stats.get("firstOrderDate"),
            stats.get("lastOrderDate"),
        ]
        bought[customer["id"]] = count
    count[0] += 1
    count[1] = round(count[1] + order["total"], 2)  # rounded order by order, as Ecwid sums
    date = order["createDate"]
    if count[2] is None or date < count[2]:
        count[2] = date
    if count[3] is None or date > count[3]:
        count[3] = date


def _add_orders(customer: dict[str, Any], orders: int, sales: float, first: str, last: str) -> None:
    customer["totalOrderCount"] = customer.get("totalOrderCount", 0) + orders
    stats = customer.setdefault("stats", {})
    stats["numberOfOrders"] = stats.get("numberOfOrders", 0) + orders
    stats["salesValue"] = sales
    stats["averageOrderValue"] = round(sales / stats["numberOfOrders"], 2)
    stats["firstOrderDate"] = first
    stats["lastOrderDate"] = last
