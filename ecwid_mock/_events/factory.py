"""``EventFactory``: realistic, signed, deterministic Ecwid webhook events.

One factory is one fake store: a store id, a client secret, a clock, a seeded
``random.Random`` and (on first need) one seeded Faker. The same seed and the same calls give
the same bytes in any process. Every event is built in Ecwid's key order, validated against
its strict schema, serialised once and signed over those exact bytes.

Events about one entity agree (same ids, old statuses = previous new ones): continue an entity
with ``build(..., after=event)`` or through a handle (``order = factory.order();
order.created(); order.updated(payment="PAID"); order.deleted()``).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeGuard

from .._errors import EcwidMockError, InvalidOption
from .._schemas.catalog import event_info, event_types, schema_for
from .._schemas.nodes import Node, merge
from .._store import ids as _ids
from .._store.lifecycles import EntityState, absorb, data_values, new_state, state_from_payload
from .event import Event, json_text, serialise
from .overrides import DELETE, apply_overrides
from .signature_modes import SIGNATURE_MODES, check_mode, signature_for
from .signing import TEST_CLIENT_SECRET, HmacSigner, Secret

if TYPE_CHECKING:
    from faker import Faker

__all__ = [
    "DELETE",
    "SIGNATURE_MODES",
    "TEST_CLIENT_SECRET",
    "Checkout",
    "Clock",
    "Customer",
    "Entity",
    "EventFactory",
    "Order",
    "SteppingClock",
    "UnfinishedOrder",
]

"""The client secret of a factory made without one. Public on purpose: only for tests."""

# Default clock: somewhere in 2024 (seed-derived), then a few seconds per event.
_EPOCH_2024 = 1_704_067_200
_YEAR = 365 * 86_400
_STEP_MIN, _STEP_SPAN = 1, 5  # 1 to 5 seconds
_EMAIL_POOL_SIZE = 256
_LIVE_ENTITIES = 64  # per family, in stream(): bounded, so memory stays flat

# How often each family and action shows up in a default stream(): orders and stock changes
# dominate a shop's webhook traffic; store-level and GDPR events are rare.
_FAMILY_WEIGHTS = {
    "order": 30.0,
    "product": 20.0,
    "customer": 10.0,
    "unfinished_order": 8.0,
    "category": 4.0,
    "review": 4.0,
    "discount_coupon": 3.0,
    "invoice": 3.0,
    "promotion": 2.0,
}
_ACTION_WEIGHTS = {"created": 2.0, "updated": 5.0, "deleted": 1.0}
_RARE = 0.25


class Clock(Protocol):
    """Anything with ``now()`` in UNIX seconds, such as ``ecwid_mock.VirtualClock``."""

    def now(self) -> float: ...


class SteppingClock:
    """The default clock: a fixed start that the factory advances a few seconds per event."""

    def __init__(self, start: float) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def __repr__(self) -> str:
        return f"SteppingClock(now={self._now:.0f})"


@dataclass(frozen=True)
class _Plan:
    """What the factory needs to know about one event type, read once from its schema."""

    event_type: str
    entity: str
    action: str
    data_names: tuple[str, ...]
    data_nodes: Mapping[str, Node]
    validator: Any
    facts: tuple[tuple[str, str], ...]  # (data field, the entity fact its value sets)
    body_tail: str  # the JSON after entityId: eventType, and the start of data if it has one


@functools.lru_cache(maxsize=256)
def _plan_for(event_type: str) -> _Plan:
    """Read once per process what building ``event_type`` needs from its schema."""
    from .._schemas.validate import strict_validator

    info = event_info(event_type)
    root = merge([schema_for(info.event_type, strict=True)])
    data = merge(root.properties["data"]) if "data" in root.properties else Node()
    names = tuple(f.name for f in info.data_fields)
    # What absorb() does with this event's data, asked of absorb() itself once: the fact
    # each field sets (the last one wins when two set the same fact; old* values set none).
    probe = EntityState(info.entity, 0)
    absorb(probe, {name: name for name in names})
    return _Plan(
        event_type=info.event_type,
        entity=info.entity,
        action=info.action,
        data_names=names,
        data_nodes=MappingProxyType({n: merge(data.properties[n]) for n in names}),
        validator=strict_validator(info.event_type),
        facts=tuple((name, fact) for fact, name in probe.facts.items()),
        body_tail=f',"eventType":{json_text(info.event_type)}' + (',"data":' if names else ""),
    )


_event_id = _ids.event_id


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str:
    """How a receiver reading the JSON body would spell a value in the signed string."""
    if isinstance(value, str):
        return value
    if _is_int(value):
        return str(value)
    return serialise({"v": value})[5:-1].decode()


class EventFactory:
    """Builds Ecwid webhook events for one fake store, deterministically from ``seed``.

    ``seed=None`` draws a seed and keeps it in :attr:`seed`, so a failing run can be
    replayed. Without ``client_secret`` events are signed with :data:`TEST_CLIENT_SECRET`.
    ``clock`` is any object with ``now() -> float`` (UNIX seconds); by default a
    seed-derived start in 2024 (or ``start``, UNIX seconds) that advances a few seconds per
    event. ``order_id_prefix``
    and ``order_id_suffix`` are the store's public order id affixes (``"MYSTORE-"``).
    ``access_token`` is the ``secret_...`` REST token used by ``signature="access-token"``
    (a fake one by default).
    """

    DELETE: ClassVar[object] = DELETE
    SIGNATURE_MODES: ClassVar[Mapping[str, str]] = SIGNATURE_MODES

    def __init__(
        self,
        *,
        seed: int | None = None,
        store_id: int | None = None,
        client_secret: str | bytes | Secret | None = None,
        locale: str = "en_US",
        clock: Clock | None = None,
        order_id_prefix: str = "",
        order_id_suffix: str = "",
        access_token: str | bytes | Secret | None = None,
        start: float | None = None,
    ) -> None:
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        elif not _is_int(seed) or seed < 0:
            raise InvalidOption("seed", seed, "a non-negative integer", source="EventFactory")
        if store_id is not None and (not _is_int(store_id) or store_id < 1):
            raise InvalidOption(
                "store_id", store_id, "a positive integer such as 61882411", source="EventFactory"
            )
        if not isinstance(locale, str) or not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", locale):
            raise InvalidOption(
                "locale",
                locale,
                "a Faker locale such as en_US, de_DE or ja_JP",
                source="EventFactory",
            )
        affixes = (("order_id_prefix", order_id_prefix), ("order_id_suffix", order_id_suffix))
        for name, affix in affixes:
            if not isinstance(affix, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", affix):
                raise InvalidOption(
                    name,
                    affix,
                    "letters, digits, '-' or '_' (like 'MYSTORE-')",
                    source="EventFactory",
                )
        if start is not None and (
            isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0
        ):
            raise InvalidOption("start", start, "UNIX seconds (>= 0)", source="EventFactory")
        if clock is not None and not callable(getattr(clock, "now", None)):
            raise InvalidOption(
                "clock",
                clock,
                "an object with a now() method returning UNIX seconds",
                source="EventFactory",
            )
        for name, secret in (("client_secret", client_secret), ("access_token", access_token)):
            if secret is None:
                continue
            if not isinstance(secret, (str, bytes, Secret)):
                shown = f"<{type(secret).__name__}>"  # never the value: it may be a real secret
                raise InvalidOption(name, shown, "a str, bytes or Secret", source="EventFactory")
            if not secret:
                raise InvalidOption(name, "", "a non-empty secret", source="EventFactory")
        self._seed: int = seed
        self._rng = random.Random(seed)
        self._store_id: int = store_id if store_id is not None else _ids.store_id(self._rng)
        self._body_store = f'"storeId":{json_text(self._store_id)},"entityId":'
        drawn = _EPOCH_2024 + self._rng.randrange(_YEAR)  # drawn always: the rest stays the same
        self._stepper: SteppingClock | None = None
        if clock is None:
            clock = self._stepper = SteppingClock(drawn if start is None else start)
        self._clock: Clock = clock
        self._secret = Secret(client_secret if client_secret is not None else TEST_CLIENT_SECRET)
        self._signer = HmacSigner(self._secret.reveal())
        self._access_token = Secret(access_token) if access_token is not None else None
        self._wrong_secret: Secret | None = None
        self._locale = locale
        self._prefix = order_id_prefix
        self._suffix = order_id_suffix
        self._faker: Faker | None = None
        self._emails: list[str] = []  # the pool draw_email() cycles through, in draw order
        self._email_set: set[str] = set()
        self._emails_complete = False
        self._emails_drawn = 0
        self._plans: dict[str, _Plan] = {}

    # --- what the factory is ---------------------------------------------------------------

    @property
    def seed(self) -> int:
        """The seed: pass it as ``EventFactory(seed=...)`` to replay exactly these events."""
        return self._seed

    @property
    def store_id(self) -> int:
        """The fake store's id (4 to 9 digits unless given), the same in every event."""
        return self._store_id

    @property
    def client_secret(self) -> Secret:
        """The client secret events are signed with (a :class:`Secret`; it never prints)."""
        return self._secret

    @property
    def locale(self) -> str:
        return self._locale

    @property
    def clock(self) -> Clock:
        """Where eventCreated comes from."""
        return self._clock

    @property
    def rng(self) -> random.Random:
        """The factory's ``random.Random``; draw from it to stay replayable by seed."""
        return self._rng

    @property
    def faker(self) -> Faker:
        """The factory's one Faker, created on first use and seeded with :attr:`seed`.

        Its choices are uniform over the locale's name lists (``use_weighting=False``): a
        frequency-weighted draw sums thousands of weights per name, 8x the cost of an email.
        """
        if self._faker is None:
            from faker import Faker

            try:
                faker = Faker(self._locale, use_weighting=False)
            except AttributeError:
                from faker.config import AVAILABLE_LOCALES

                raise InvalidOption(
                    "locale",
                    self._locale,
                    f"one of Faker's locales ({', '.join(sorted(AVAILABLE_LOCALES)[:8])}, ...)",
                    source="EventFactory",
                ) from None
            faker.seed_instance(self._seed)
            self._faker = faker
        return self._faker

    def __repr__(self) -> str:
        return (
            f"EventFactory(seed={self._seed}, store_id={self._store_id}, "
            f"locale={self._locale!r}, client_secret={self._secret!r})"
        )

    # --- the Source protocol of _lifecycles -----------------------------------------------

    def new_public_order_id(self) -> str:
        """A public order id (``data.orderId``) with this store's prefix and suffix."""
        return _ids.public_order_id(self._rng, self._prefix, self._suffix)

    def draw_email(self) -> str:
        """A new customer's email: Faker's, in this factory's locale, unique in this store.

        The first 256 calls each draw a new address from the factory's Faker (redrawing a
        repeat); then each call takes the next of those, adding ``+2``, ``+3`` ... once every
        address was used, so no two customers of one factory share an email and the pool
        stays bounded (stream() runs for ever).
        """
        emails, drawn = self._emails, self._emails_drawn
        self._emails_drawn = drawn + 1
        if drawn == len(emails) and not self._emails_complete:
            faker = self.faker
            for _ in range(4):  # a locale with few addresses completes its pool early
                email: str = faker.email()
                if email not in self._email_set:
                    self._email_set.add(email)
                    emails.append(email)
                    self._emails_complete = len(emails) == _EMAIL_POOL_SIZE
                    return email
            self._emails_complete = True  # (never empty: the first draw is always new)
        round_, index = divmod(drawn, len(emails))
        email = emails[index]
        if round_:
            local, _, domain = email.partition("@")
            email = f"{local}+{round_ + 1}@{domain}"
        return email

    # --- building events -------------------------------------------------------------------

    def _plan(self, event_type: str) -> _Plan:
        plan = self._plans.get(event_type)
        if plan is None:
            plan = self._plans[event_type] = _plan_for(event_type)
        return plan

    def build(
        self,
        event_type: str,
        *,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
        after: Event | Mapping[str, Any] | None = None,
    ) -> Event:
        """One signed event of ``event_type``.

        ``overrides`` sets fields by dotted path (``{"data.newPaymentStatus": "PAID"}``;
        :data:`DELETE` removes one), checked against the strict schema. ``signature`` is a
        key of :data:`SIGNATURE_MODES`. ``validate=False`` skips every check: the explicit way
        to build a deliberately broken payload. ``after`` continues the entity of an earlier
        event (same ids; an update's old statuses are that event's new ones).
        """
        plan = self._plan(event_type)
        mode = check_mode(signature, source=f"build({plan.event_type!r}, signature=...)")
        state = new_state(self, plan.entity) if after is None else self._state_after(plan, after)
        return self._emit(plan, state, overrides=overrides, mode=mode, validate=validate)

    def _state_after(self, plan: _Plan, after: Event | Mapping[str, Any]) -> EntityState:
        payload = after.payload if isinstance(after, Event) else after
        previous = payload.get("eventType") if isinstance(payload, Mapping) else None
        entity = previous.partition(".")[0] if isinstance(previous, str) else None
        same = entity == plan.entity or (entity == "unfinished_order" and plan.entity == "order")
        if not same or "entityId" not in payload:
            raise InvalidOption(
                "after",
                previous if isinstance(previous, str) else after,
                f"an earlier {plan.entity}.* event (an Event or its payload)",
                source=f"build({plan.event_type!r}, after=...)",
            )
        if previous.endswith(".deleted") and entity == plan.entity:  # type: ignore[union-attr]
            raise InvalidOption(
                "after",
                previous,
                f"an event of a {plan.entity} that still exists (nothing follows its deletion)",
                source=f"build({plan.event_type!r}, after=...)",
            )
        return state_from_payload(plan.entity, payload)

    def _emit(
        self,
        plan: _Plan,
        state: EntityState,
        overrides: Mapping[str, object] | None,
        mode: str,
        validate: bool,
        wanted: Mapping[str, Any] | None = None,
    ) -> Event:
        # The hot path of stream() (bench_factory.py P1): no call or lookup it can spare.
        rng = self._rng
        stepper = self._stepper
        if stepper is not None:  # the default clock, read and advanced in place
            created = int(stepper._now)
            stepper._now += _STEP_MIN + int(rng.random() * _STEP_SPAN)
        else:
            created = int(self._clock.now())
        if mode == "stale":
            created -= rng.randint(2, 30) * 86_400 + rng.randrange(86_400)
        event_id = _event_id(rng)
        event_type = plan.event_type
        payload: dict[str, Any] = {
            "eventId": event_id,
            "eventCreated": created,
            "storeId": self._store_id,
            "entityId": state.entity_id,
            "eventType": event_type,
        }
        data: dict[str, Any] | None = None
        if plan.data_names:
            values = data_values(self, state, plan.action, wanted)
            payload["data"] = data = {
                name: values[name] if name in values else self._fill(plan, name)
                for name in plan.data_names
            }
        if overrides:
            apply_overrides(payload, overrides, event_type=event_type, check=validate)
            # The signed and reported values are the overridden ones (anything, if unchecked).
            found_id, found_created, found_type = (
                payload.get("eventId"),
                payload.get("eventCreated"),
                payload.get("eventType"),
            )
            event_id = found_id if isinstance(found_id, str) else _text(found_id or "")
            created = found_created if _is_int(found_created) else 0
            event_type = found_type if isinstance(found_type, str) else plan.event_type
            message = f"{_text(found_created)}.{_text(found_id)}".encode()
        else:
            message = f"{created}.{event_id}".encode()
        if validate and not plan.validator.is_valid(payload):
            from .._schemas.validate import validate_event

            validate_event(payload, strict=True, source=f"build({plan.event_type!r})")
        if overrides:
            body = serialise(payload)
        else:  # serialise(payload), with what never changes written once per type and store
            entity_id = state.entity_id  # an int, or a str (application.*) to encode
            body = (  # eventId is a UUID and eventCreated an int: nothing to escape
                f'{{"eventId":"{event_id}","eventCreated":{created},{self._body_store}'
                f"{entity_id if type(entity_id) is int else json_text(entity_id)}"
                f"{plan.body_tail}{'' if data is None else json_text(data)}}}"
            ).encode()
        if mode == "valid":  # the common case, without the mode dispatch
            signature: str | None = self._signer(message)
        else:
            signature = signature_for(
                mode,
                body=body,
                message=message,
                client_secret=self._secret,
                wrong_secret=self._other_secret(),
                access_token=self._token(),
                rng=rng,
            )
        if overrides:  # the data sent may be anything now
            absorb(state, payload.get("data"))
        elif data is not None:  # absorb(), knowing which fields the data has
            facts = state.facts
            for name, fact in plan.facts:
                facts[fact] = data[name]
        if mode == "tampered":
            body = serialise(self._tamper(plan.data_nodes, payload))
        return Event(body, event_type, event_id, created, signature, mode)

    def _fill(self, plan: _Plan, name: str) -> Any:
        """A value for a data field the lifecycles do not know, from its schema alone."""
        return value_from_node(self._rng, plan.data_nodes[name], name)

    def tamper(self, event: Event) -> Event:
        """``event`` as an attacker would change it after signing: one value in its body
        changed (a status first, AWAITING_PAYMENT -> PAID say; else a number, an email or an
        order id in data; else the entityId) under the same signature and eventId.

        The value comes from the field's schema, so the result still validates: a receiver
        must refuse it by what it knows (the eventId it already processed), not by a schema.
        The same change as ``build(..., signature="tampered")``.
        """
        payload = event.payload
        try:
            nodes = _plan_for(str(payload.get("eventType", ""))).data_nodes
        except EcwidMockError:  # a type no schema knows: only the entityId can change
            nodes = MappingProxyType({})
        return Event.from_payload(
            self._tamper(nodes, payload), signature=event.signature, signature_mode="tampered"
        )

    def _tamper(self, nodes: Mapping[str, Node], payload: dict[str, Any]) -> dict[str, Any]:
        changed = dict(payload)
        data = payload.get("data")
        if isinstance(data, dict) and data:
            changed["data"] = data = dict(data)
            for name in sorted(data, key=lambda n: self._tamper_rank(nodes, n)):
                value = self._tampered_value(nodes, name, data[name])
                if value is not None:
                    data[name] = value
                    return changed
        entity_id = changed.get("entityId")
        if _is_int(entity_id):
            changed["entityId"] = entity_id + self._rng.randint(1, 999)
        else:
            changed["entityId"] = str(self._rng.randrange(1000, 10**9))
        return changed

    @staticmethod
    def _tamper_rank(nodes: Mapping[str, Node], name: str) -> int:
        node = nodes.get(name)
        if node is None:
            return 9
        if node.enum:
            return 0
        return 1 if "integer" in node.types else 2

    def _tampered_value(self, nodes: Mapping[str, Node], name: str, current: Any) -> Any:
        node = nodes.get(name)
        if node is None:
            return None
        if node.enum:
            others = [v for v in node.enum if v != current and not str(v).startswith("CUSTOM_")]
            return self._rng.choice(others) if others else None
        if _is_int(current):
            return current + self._rng.randint(1, 9)
        if node.format == "email":
            return self.draw_email()
        if name == "orderId":
            return self.new_public_order_id()
        return None

    def _other_secret(self) -> Secret:
        if self._wrong_secret is None:
            rng = random.Random(f"{self._seed}:wrong-secret")
            self._wrong_secret = Secret(rng.randbytes(16).hex())
        return self._wrong_secret

    def _token(self) -> Secret:
        if self._access_token is None:
            rng = random.Random(f"{self._seed}:access-token")
            alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            self._access_token = Secret("secret_" + "".join(rng.choices(alphabet, k=32)))
        return self._access_token

    # --- entity handles -------------------------------------------------------------------

    def entity(self, name: str) -> Entity:
        """A new entity of family ``name`` (``"order"``, ``"product"`` ...), as a handle."""
        families = sorted({event_info(t).entity for t in event_types(include_undocumented=True)})
        if name not in families:
            raise InvalidOption("entity", name, "one of " + ", ".join(families), source="entity()")
        handle = _HANDLES.get(name, Entity)
        return handle(self, new_state(self, name))

    def order(self) -> Order:
        """A new order, as a handle: ``created()``, ``updated(payment="PAID")``, ``deleted()``."""
        return Order(self, new_state(self, "order"))

    def unfinished_order(self) -> UnfinishedOrder:
        """A new abandoned cart; ``.order()`` is the order it becomes when paid later."""
        return UnfinishedOrder(self, new_state(self, "unfinished_order"))

    def customer(self, *, email: str | None = None) -> Customer:
        """A new customer, with a Faker email of this factory's locale unless given."""
        state = new_state(self, "customer")
        if email is not None:
            if not isinstance(email, str) or "@" not in email:
                raise InvalidOption(
                    "email", email, "an email address", source="customer(email=...)"
                )
            state.facts["customerEmail"] = email
        return Customer(self, state)

    # --- cascades and streams -------------------------------------------------------------

    def checkout(
        self,
        *,
        products: int | Sequence[int] | None = None,
        abandoned: bool | None = None,
        customer: Customer | None = None,
        payment: str | None = None,
        signature: str = "valid",
    ) -> Checkout:
        """The events of one storefront checkout, in the order Ecwid produces them.

        ``unfinished_order.created`` first if the customer lingered at payment
        (``abandoned``; a quarter of checkouts by default), then ``order.created``, one
        ``product.updated`` per product whose stock changed (``products``: how many items,
        or their product ids, all stock-tracked), then ``customer.created`` for a new
        customer or ``customer.updated`` for a returning one (pass ``customer=``).
        Webhooks are not ordered in real life; shuffle the result to test that.
        """
        mode = check_mode(signature, source="checkout(signature=...)")
        rng = self._rng
        events: list[Event] = []
        if abandoned is None:
            abandoned = rng.random() < 0.25
        cart: UnfinishedOrder | None = None
        if abandoned:
            cart = self.unfinished_order()
            events.append(cart.created(signature=mode))
            if self._stepper is not None:  # the customer pays a few minutes later
                self._stepper.advance(rng.randint(120, 900))
            order = cart.order()
        else:
            order = self.order()
        events.append(order.created(payment=payment, signature=mode))
        stock: list[Entity] = []
        if products is None or isinstance(products, int):
            count = rng.randint(1, 3) if products is None else products
            if isinstance(count, bool) or count < 1:
                raise InvalidOption(
                    "products", products, "a positive count or product ids", source="checkout()"
                )
            for _ in range(count):
                product = self.entity("product")
                if products is not None or rng.random() < 0.8:  # the rest have unlimited stock
                    stock.append(product)
        else:
            for product_id in products:
                if not _is_int(product_id) or product_id < 1:
                    raise InvalidOption(
                        "product id", product_id, "a positive integer", source="checkout()"
                    )
                stock.append(Entity(self, EntityState("product", product_id)))
        events.extend(product.updated(signature=mode) for product in stock)
        if customer is None:
            customer = self.customer()
            customer_event = (
                customer.created(signature=mode)
                if rng.random() < 0.6
                else customer.updated(signature=mode)
            )
        else:
            customer_event = customer.updated(signature=mode)
        events.append(customer_event)
        return Checkout(tuple(events), order, customer, cart, tuple(stock))

    def stream(
        self,
        n: int | None = None,
        *,
        types: Iterable[str] | None = None,
        weights: Sequence[float] | Mapping[str, float] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Iterator[Event]:
        """Mixed events, lazily: ``n`` of them, or without end when ``n`` is None.

        ``types`` defaults to every documented event type, ``weights`` to a shop-like mix
        (mostly orders and stock changes). ``weights`` is a sequence aligned with ``types``,
        or a mapping of type -> weight (then ``types`` defaults to its keys). Updates and
        deletes mostly continue entities the stream created, so lives are consistent;
        only the last 64 live entities per family are kept, so memory stays flat.
        """
        if n is not None and (not _is_int(n) or n < 0):
            raise InvalidOption("n", n, "a non-negative integer or None", source="stream()")
        mode = check_mode(signature, source="stream(signature=...)")
        if isinstance(weights, Mapping) and types is None:
            types = list(weights)
        chosen = list(event_types() if types is None else types)
        if isinstance(types, str):
            chosen = [types]
        if not chosen:
            raise InvalidOption("types", chosen, "at least one event type", source="stream()")
        plans = [self._plan(t) for t in chosen]
        cumulative = list(itertools.accumulate(self._weights(plans, chosen, weights)))
        return self._stream(n, plans, cumulative, mode, validate)

    def _weights(
        self,
        plans: list[_Plan],
        chosen: list[str],
        weights: Sequence[float] | Mapping[str, float] | None,
    ) -> list[float]:
        if weights is None:
            return [
                _FAMILY_WEIGHTS.get(p.entity, 1.0) * _ACTION_WEIGHTS.get(p.action, _RARE)
                for p in plans
            ]
        if isinstance(weights, Mapping):
            unknown = [t for t in weights if t not in chosen]
            if unknown:
                raise InvalidOption(
                    "weights", unknown[0], "a key of types: " + ", ".join(chosen), source="stream()"
                )
            values = [weights.get(t, 0.0) for t in chosen]
        else:
            values = list(weights)
            if len(values) != len(chosen):
                raise InvalidOption(
                    "weights",
                    values,
                    f"{len(chosen)} numbers, one per type",
                    source="stream()",
                )
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidOption("weight", value, "a number >= 0", source="stream()")
            if not math.isfinite(value) or value < 0:
                raise InvalidOption("weight", value, "a finite number >= 0", source="stream()")
        if not sum(values) > 0:
            raise InvalidOption("weights", values, "numbers with a positive sum", source="stream()")
        return [float(v) for v in values]

    def _stream(
        self,
        n: int | None,
        plans: list[_Plan],
        cumulative: list[float],
        mode: str,
        validate: bool,
    ) -> Iterator[Event]:
        random_ = self._rng.random
        bisect_ = bisect.bisect
        emit = self._emit
        total = cumulative[-1]
        last = len(plans) - 1
        live: dict[str, list[EntityState]] = {}
        pools = [live.setdefault(plan.entity, []) for plan in plans]  # one per family
        counter = itertools.count() if n is None else range(n)
        for _ in counter:
            index = bisect_(cumulative, random_() * total, 0, last)  # as random.choices
            plan = plans[index]
            pool = pools[index]
            action = plan.action
            if action == "created" or not pool or random_() < 0.1:
                state = new_state(self, plan.entity)
                if action != "deleted":
                    if len(pool) >= _LIVE_ENTITIES:
                        pool.pop(int(random_() * len(pool)))
                    pool.append(state)
            elif action == "deleted":
                state = pool.pop(int(random_() * len(pool)))
            else:
                state = pool[int(random_() * len(pool))]
            yield emit(plan, state, None, mode, validate)


def value_from_node(rng: random.Random, node: Node, name: str) -> Any:
    """A plausible value allowed by ``node``: an enum value, an example, or a typed filler."""
    if node.enum:
        return rng.choice(node.enum)
    if node.examples:
        return rng.choice(node.examples)
    if "integer" in node.types or "number" in node.types:
        low = int(node.minimum) if node.minimum is not None else 1
        high = int(node.maximum) if node.maximum is not None else max(low, 1) * 10**6
        return rng.randint(low, max(low, high))
    if "string" in node.types:
        if node.format == "email":
            return f"{name.lower()}{rng.randrange(10**6)}@example.com"
        return f"{name}-{rng.randrange(10**6)}".ljust(node.min_length, "x")
    if "boolean" in node.types:
        return rng.random() < 0.5
    if "object" in node.types:
        return {}
    return None


# --- handles ------------------------------------------------------------------------------


class Entity:
    """A handle on one entity: every event it builds has the same ids and consistent data.

    ``created()``, ``updated()``, ``deleted()`` and ``event(action)`` take the options of
    :meth:`EventFactory.build` (``overrides``, ``signature``, ``validate``). Values sent
    in data (overrides included) become the entity's current ones; its entityId stays.
    """

    def __init__(self, factory: EventFactory, state: EntityState) -> None:
        self._factory = factory
        self._state = state

    @property
    def entity(self) -> str:
        return self._state.entity

    @property
    def entity_id(self) -> int | str:
        return self._state.entity_id

    @property
    def facts(self) -> dict[str, Any]:
        """What the events so far said about the entity (a copy), e.g. ``PaymentStatus``."""
        return dict(self._state.facts)

    def event(
        self,
        action: str,
        *,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        """The next event about this entity: ``f"{entity}.{action}"``."""
        return self._event(action, overrides, signature, validate, None)

    def _event(
        self,
        action: str,
        overrides: Mapping[str, object] | None,
        signature: str,
        validate: bool,
        wanted: Mapping[str, Any] | None,
    ) -> Event:
        factory = self._factory
        plan = factory._plan(f"{self._state.entity}.{action}")
        mode = check_mode(signature, source=f"{plan.event_type}(signature=...)")
        return factory._emit(
            plan, self._state, overrides=overrides, mode=mode, validate=validate, wanted=wanted
        )

    def created(
        self,
        *,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        return self._event("created", overrides, signature, validate, None)

    def updated(
        self,
        *,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        return self._event("updated", overrides, signature, validate, None)

    def deleted(
        self,
        *,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        return self._event("deleted", overrides, signature, validate, None)

    def __repr__(self) -> str:
        facts = ", ".join(f"{k}={v!r}" for k, v in self._state.facts.items())
        extra = f", {facts}" if facts else ""
        return f"<{type(self).__name__} {self.entity} entity_id={self.entity_id!r}{extra}>"


def _statuses(payment: str | None, fulfillment: str | None, source: str) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    fields = {f.name: f for f in event_info("order.updated").data_fields}
    for key, value, label in (
        ("PaymentStatus", payment, "payment"),
        ("FulfillmentStatus", fulfillment, "fulfillment"),
    ):
        if value is None:
            continue
        allowed = fields["new" + key].enum
        if value not in allowed:
            raise InvalidOption(
                f"{label} status", value, "one of " + ", ".join(allowed), source=source
            )
        wanted[key] = value
    return wanted


class Order(Entity):
    """An order: one ``entityId`` (internal id) and ``data.orderId`` (public id) for life."""

    @property
    def order_id(self) -> str:
        """The public order id (``data.orderId``), drawn on first use."""
        if "orderId" not in self._state.facts:
            self._state.facts["orderId"] = self._factory.new_public_order_id()
        return str(self._state.facts["orderId"])

    @property
    def payment_status(self) -> str | None:
        """The last payment status sent, None before ``created()``."""
        return self._state.facts.get("PaymentStatus")

    @property
    def fulfillment_status(self) -> str | None:
        return self._state.facts.get("FulfillmentStatus")

    def created(
        self,
        *,
        payment: str | None = None,
        fulfillment: str | None = None,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        """``order.created``: statuses drawn like a real shop's, unless given."""
        wanted = _statuses(payment, fulfillment, "Order.created()")
        return self._event("created", overrides, signature, validate, wanted)

    def updated(
        self,
        *,
        payment: str | None = None,
        fulfillment: str | None = None,
        overrides: Mapping[str, object] | None = None,
        signature: str = "valid",
        validate: bool = True,
    ) -> Event:
        """``order.updated``: old statuses are the last ones sent; new ones a realistic step.

        Give ``payment`` and/or ``fulfillment`` to choose the new statuses (the other one
        then stays as it was).
        """
        wanted = _statuses(payment, fulfillment, "Order.updated()")
        return self._event("updated", overrides, signature, validate, wanted)


class UnfinishedOrder(Entity):
    """An abandoned cart: one entityId, ``data.orderId`` and ``data.cartId`` for life."""

    @property
    def order_id(self) -> str:
        if "orderId" not in self._state.facts:
            self._state.facts["orderId"] = self._factory.new_public_order_id()
        return str(self._state.facts["orderId"])

    @property
    def cart_id(self) -> str:
        """The upper-case UUID used with ``GET /carts/{cartId}``."""
        if "cartId" not in self._state.facts:
            self._state.facts["cartId"] = _ids.cart_id(self._factory.rng)
        return str(self._state.facts["cartId"])

    def order(self) -> Order:
        """The order this cart becomes when the customer pays: same entityId and orderId."""
        facts = {"orderId": self.order_id}
        return Order(self._factory, EntityState("order", self._state.entity_id, facts))


class Customer(Entity):
    """A customer: one entityId and ``data.customerEmail`` for life."""

    @property
    def email(self) -> str:
        if "customerEmail" not in self._state.facts:
            self._state.facts["customerEmail"] = self._factory.draw_email()
        return str(self._state.facts["customerEmail"])


_HANDLES: dict[str, type[Entity]] = {
    "order": Order,
    "unfinished_order": UnfinishedOrder,
    "customer": Customer,
}


@dataclass(frozen=True)
class Checkout(Sequence[Event]):
    """The events of one checkout (a sequence), with handles to continue its entities."""

    events: tuple[Event, ...]
    order: Order
    customer: Customer
    cart: UnfinishedOrder | None
    products: tuple[Entity, ...]

    def __getitem__(self, index: Any) -> Any:
        return self.events[index]

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    @property
    def event_types(self) -> list[str]:
        return [e.event_type for e in self.events]
