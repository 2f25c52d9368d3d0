"""The conformance checks: what each one sends, and how answers become a verdict.

Checks share one :class:`Probes` object, which sends each request once and remembers the
answer: the valid event of every subscribed type (in each entity's lifecycle order), one
event per forged signature mode, and so on. Every check then judges one thing only. When a
check cannot judge because another check's finding is in the way (a receiver that redirects
everything cannot show whether it deduplicates), it is skipped and names that check in
``blocked_by``, so that one defect is flagged by exactly one check.

Facts used (ecwid-webhooks reference): delivered = 200, 201, 202, 204, 209 (section 7.1);
3 s to connect, 10 s to answer (7.2); retries over 24 hours (7.3); no order, duplicates
happen (7.5); the signature covers ``"{eventCreated}.{eventId}"`` only (5).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._delivery.record import RESPONSE_BUDGET
from .._errors import InvalidOption
from .._events.event import Event
from .._events.signing import SIGNATURE_HEADER, sign
from .._schemas.catalog import event_info
from .._schemas.contract import contract
from .report import Exchange, Finding, Verdict, format_duration, percentile

if TYPE_CHECKING:
    from .._delivery.record import Delivery
    from .._delivery.sender import Sender
    from .._events.app import EcwidApp
    from .._events.factory import EventFactory
    from .._servers.store import EcwidStore

__all__ = [
    "CHECKS",
    "FORGED_MODES",
    "AppLine",
    "CheckSpec",
    "Finding",
    "Observer",
    "Options",
    "Probes",
    "from_evidence",
]

#: Signature modes a receiver must never answer with a delivered code, in check order.
FORGED_MODES = ("missing", "invalid", "wrong-secret", "access-token", "hex", "body")

#: Event types that no Ecwid version sends (yet): forward-compatibility probes.
FUTURE_EVENT_TYPES = ("size_chart.created", "gift_card.created")

_ACCEPTED = contract().accepted_text
_POLL_SECONDS = 0.01
_SIGNED = "'{eventCreated}.{eventId}'"


@dataclass(frozen=True)
class Options:
    """How a run behaves; validated by the suite before anything is sent."""

    events: tuple[str, ...]
    timeout: float = RESPONSE_BUDGET
    slow_after: float = 3.0
    settle: float = 0.5
    concurrency: int = 8
    access_token_given: bool = False


@dataclass(frozen=True)
class Gate:
    """Why a valid event was not delivered, and the check that owns that finding."""

    check_id: str
    reason: str

    def skip(self, what: str, evidence: Sequence[Exchange] = ()) -> Finding:
        return Finding(
            Verdict.SKIP,
            f"not judged until {self.check_id} passes: {self.reason.split(' (', 1)[0]}",
            (
                f"This check needs {what}, but {self.reason}.",
                f"Fix what {self.check_id} reports first, then run again.",
            ),
            tuple(evidence),
            blocked_by=self.check_id,
        )


# -- observing side effects ---------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    per_event: Mapping[str, int] | None
    total: int


class Observer:
    """Wraps the user's observation hook: ``observe()`` returns a snapshot of side effects.

    A snapshot is a mapping of eventId to how many times it had an effect (best: every
    duplicate is counted exactly), a number (a total count, e.g. rows in a table), or a
    collection (its length is the count). Effects may land after the answer (receivers that
    answer first and process later), so counts are polled for up to ``settle`` seconds.
    """

    def __init__(self, observe: Callable[[], object], *, settle: float) -> None:
        self._observe = observe
        self.settle = settle
        self.kind = ""

    def snapshot(self) -> _Snapshot:
        try:
            value = self._observe()
        except Exception as exc:
            raise InvalidOption(
                "observe()",
                f"raised {type(exc).__name__}: {exc}",
                "a callable that returns a snapshot of side effects without raising",
                source="observation hook",
            ) from exc
        if isinstance(value, Mapping):
            counts: dict[str, int] = {}
            for key, count in value.items():
                if isinstance(count, bool) or not isinstance(count, int):
                    raise InvalidOption(
                        f"observe()[{key!r}]",
                        count,
                        "an int: how many effects that eventId had",
                        source="observation hook",
                    )
                counts[str(key)] = count
            self.kind = "effects per eventId"
            return _Snapshot(counts, sum(counts.values()))
        if isinstance(value, int) and not isinstance(value, bool):
            self.kind = "a total count"
            return _Snapshot(None, value)
        if isinstance(value, Sized) and not isinstance(value, (str, bytes)):
            self.kind = "a collection (its length)"
            return _Snapshot(None, len(value))
        raise InvalidOption(
            "observe() result",
            type(value).__name__,
            "a mapping of eventId to a count, an int, or a collection such as a list",
            source="observation hook",
        )

    @staticmethod
    def count(before: _Snapshot, after: _Snapshot, event_id: str | None) -> int:
        """Effects of ``event_id`` between the snapshots (``None``: of anything)."""
        if event_id is not None and before.per_event is not None and after.per_event is not None:
            return after.per_event.get(event_id, 0) - before.per_event.get(event_id, 0)
        return after.total - before.total

    def wait_for(self, before: _Snapshot, event_id: str | None, *, at_least: int) -> int:
        """Effects of ``event_id`` since ``before``, once ``at_least`` show (or settle passes)."""
        deadline = time.monotonic() + self.settle
        while True:
            seen = self.count(before, self.snapshot(), event_id)
            if seen >= at_least or time.monotonic() >= deadline:
                return seen
            time.sleep(_POLL_SECONDS)

    def settled(self, before: _Snapshot, event_id: str | None, *, expected: int) -> int:
        """Effects after the whole settle window (early, once more than ``expected`` show)."""
        deadline = time.monotonic() + self.settle
        while True:
            seen = self.count(before, self.snapshot(), event_id)
            if seen > expected or time.monotonic() >= deadline:
                return seen
            time.sleep(_POLL_SECONDS)


@dataclass(frozen=True)
class AppLine:
    """One app of several at the receiver's URL: its sender (its custom headers) and its
    factory (its client secret)."""

    app: EcwidApp
    sender: Sender
    factory: EventFactory


@dataclass(frozen=True)
class _Tampered:
    """The replay-tampered scenario: the original, the changed copy, and their effects."""

    first: Exchange
    second: Exchange | None
    first_effects: int
    effects: int | None


@dataclass(frozen=True)
class _Stale:
    answer: Exchange
    days: int
    effects: int | None


@dataclass(frozen=True)
class _Duplicates:
    """The idempotency scenario's outcome (shared with replay-tampered)."""

    first: int
    sequential: int | None
    concurrent: int | None
    evidence: tuple[Exchange, ...]


# -- sending and remembering -----------------------------------------------------------------


def exchange(sent: str, delivery: Delivery, index: int = -1) -> Exchange:
    """The evidence of one attempt of ``delivery``."""
    event = delivery.event
    if not delivery.attempts:
        return Exchange(
            sent=sent,
            event_type=event.event_type,
            event_id=event.event_id or None,
            signature=event.signature_mode,
            reason=delivery.reason or "not sent",
        )
    attempt = delivery.attempts[index]
    headers = {name.lower(): value for name, value in attempt.response_headers}
    return Exchange(
        sent=sent,
        event_type=event.event_type,
        event_id=event.event_id or None,
        signature=event.signature_mode if event.signature is not None else "missing",
        attempt=attempt.number,
        status=attempt.status_code,
        error=attempt.error,
        reason=attempt.reason,
        duration=attempt.duration,
        location=headers.get("location"),
        body_excerpt=attempt.body_excerpt,
        app_error=attempt.app_error,
    )


def lifecycle_groups(events: Sequence[str]) -> list[list[str]]:
    """Subscribed types grouped by entity, each group in the order an entity lives."""
    groups: dict[str, list[str]] = {}
    for event_type in events:
        groups.setdefault(event_info(event_type).entity, []).append(event_type)

    def rank(event_type: str) -> int:
        action = event_info(event_type).action
        if action in ("created", "installed"):
            return 0
        if action in ("deleted", "uninstalled"):
            return 2
        return 1

    return [sorted(group, key=rank) for group in groups.values()]


class Probes:
    """Sends what the checks need, each thing once, and keeps the answers for every check."""

    def __init__(
        self,
        sender: Sender,
        factory: EventFactory,
        options: Options,
        observer: Observer | None,
        apps: Sequence[AppLine] = (),
        store: EcwidStore | None = None,
    ) -> None:
        self.apps = tuple(apps)
        self.store = store
        self.sender = sender
        self.factory = factory
        self.options = options
        self.observer = observer
        self._lock = threading.RLock()
        self._traffic: dict[str, Exchange] | None = None
        self._traffic_effects: int | None = None
        self._forged: dict[str, Exchange] = {}
        self._forged_effects: dict[str, int] = {}
        self._tampered: _Tampered | None = None
        self._stale: _Stale | None = None
        self._shared_done = False
        self._duplicates: _Duplicates | None = None

    # -- plumbing ----------------------------------------------------------------------

    def adopt(self, event: Event) -> None:
        """With a store: make the record ``event`` names exist there, as it does at Ecwid, so
        that a receiver's fetch-back finds it (the REST checks judge what happens when not)."""
        if self.store is None:
            return
        from .._store_events import adopt_named

        try:
            adopt_named(self.store, event)
        except (ValueError, TypeError):  # a broken body names nothing
            return

    def send(self, event: Event, sent: str, *, adopt: bool = True) -> tuple[Delivery, Exchange]:
        """One attempt, with nothing left scheduled afterwards (``adopt``: see :meth:`adopt`)."""
        with self._lock:
            if adopt:
                self.adopt(event)
            self.sender.clear()
            delivery = self.sender.send(event)
            self.sender.clear()
        return delivery, exchange(sent, delivery)

    def build(self, event_type: str, *, signature: str = "valid") -> Event:
        with self._lock:
            return self.factory.build(event_type, signature=signature)

    def signed(self, payload: Mapping[str, Any], *, mode: str = "valid") -> Event:
        """``payload`` serialised as is (no schema check) with Ecwid's valid signature."""
        signature = sign(
            int(payload["eventCreated"]), str(payload["eventId"]), self.factory.client_secret
        )
        return Event.from_payload(payload, signature=signature, signature_mode=mode)

    # -- the valid traffic every other check compares with ---------------------------------

    def traffic(self) -> dict[str, Exchange]:
        """A valid event of every subscribed type, in each entity's lifecycle order."""
        with self._lock:
            if self._traffic is None:
                self._traffic = self._send_traffic()
            return self._traffic

    def _send_traffic(self) -> dict[str, Exchange]:
        plans: list[list[Event]] = []
        for group in lifecycle_groups(self.options.events):
            events: list[Event] = []
            for event_type in group:
                after = events[-1] if events else None
                events.append(self.factory.build(event_type, after=after))
            plans.append(events)

        def run(events: list[Event]) -> list[Exchange]:
            results = []
            for event in events:
                self.adopt(event)
                delivery = self.sender.send(event)
                results.append(exchange(f"{event.event_type} (valid signature)", delivery))
            return results

        from concurrent.futures import ThreadPoolExecutor

        workers = max(1, min(self.options.concurrency, len(plans)))
        before = self.observer.snapshot() if self.observer is not None else None
        self.sender.clear()
        with ThreadPoolExecutor(workers, thread_name_prefix="ecwid-conformance") as pool:
            done = [item for result in pool.map(run, plans) for item in result]
        self.sender.clear()
        if self.observer is not None and before is not None:
            self._traffic_effects = self.observer.wait_for(before, None, at_least=1)
        by_type = {e.event_type or "": e for e in done}
        return {t: by_type[t] for t in self.options.events}

    @property
    def probe_type(self) -> str:
        """The type used for single-event probes: order.created when it is delivered."""
        events = self.options.events
        preferred = [t for t in ("order.created",) if t in events]
        preferred += [t for t in events if event_info(t).action in ("created", "installed")]
        preferred += list(events)
        traffic = self.traffic()
        for event_type in preferred:
            if traffic[event_type].delivered:
                return event_type
        return preferred[0]

    def control(self) -> Exchange:
        return self.traffic()[self.probe_type]

    def forged(self, mode: str) -> Exchange:
        """The answer to the probe event signed in ``mode`` (all modes are sent together)."""
        with self._lock:
            if not self._forged and not self._settle_together():
                self._send_forged()
            return self._forged[mode]

    @property
    def observable(self) -> bool:
        """True when the observation hook showed the effects of the valid traffic."""
        self.traffic()
        return self._traffic_effects is not None and self._traffic_effects > 0

    def forged_effects(self, mode: str) -> int | None:
        """Effects the ``mode`` probe had (``None``: no observation can tell)."""
        self.forged(mode)
        return self._forged_effects.get(mode)

    def _send_forged(self) -> None:
        """Every forged mode at once, then one settle window for all of their effects."""
        observer = self.observer if self.observable else None
        before = observer.snapshot() if observer is not None else None
        events = {mode: self.build(self.probe_type, signature=mode) for mode in FORGED_MODES}
        for mode, event in events.items():
            _, self._forged[mode] = self.send(
                event, f"{event.event_type} with signature mode {mode!r}"
            )
        if observer is None or before is None:
            return
        accepted = [m for m in FORGED_MODES if self._forged[m].delivered]
        if not accepted:
            return
        deadline = time.monotonic() + observer.settle
        while True:
            after = observer.snapshot()
            seen = {m: observer.count(before, after, events[m].event_id) for m in accepted}
            if all(n > 0 for n in seen.values()) or time.monotonic() >= deadline:
                break
            time.sleep(_POLL_SECONDS)
        if after.per_event is not None or len(accepted) == 1 or sum(seen.values()) == 0:
            self._forged_effects.update(seen)
            return
        for mode in accepted:  # a total count cannot tell the modes apart: one at a time
            event = self.build(self.probe_type, signature=mode)
            before = observer.snapshot()
            self.send(event, f"{event.event_type} with signature mode {mode!r}")
            self._forged_effects[mode] = observer.settled(before, None, expected=0)

    # -- attribution -------------------------------------------------------------------

    def culprit(self) -> tuple[str, Exchange] | None:
        """The forged mode the receiver accepts while refusing Ecwid's valid signature."""
        control = self.control()
        if control.delivered or control.status is None or not 400 <= control.status < 500:
            return None
        for mode in ("body", "hex", "access-token", "wrong-secret", "missing", "invalid"):
            forged = self.forged(mode)
            if forged.delivered:
                return f"signature-{mode}", forged
        return None

    def attribute(self, answer: Exchange) -> tuple[str, str]:
        """(check id, reason) for a valid event that was not delivered."""
        what = f"{answer.event_type} with a valid signature got {answer.answer}"
        if answer.error == "timeout":
            return "response-time", what
        if answer.status is None:
            return "delivered-codes", what
        if 300 <= answer.status < 400:
            return "no-redirects", what
        if 200 <= answer.status < 300:
            return "no-203-208", what
        if 400 <= answer.status < 500:
            found = self.culprit()
            if found is not None:
                return found[0], what + " (the receiver refuses Ecwid's signature)"
        return "delivered-codes", what

    def gate(self, event_type: str | None = None) -> Gate | None:
        """``None`` when the valid ``event_type`` event was delivered; else why not."""
        answer = self.traffic()[event_type or self.probe_type]
        if answer.delivered:
            return None
        return Gate(*self.attribute(answer))

    def same_as_control(self, answer: Exchange) -> Gate | None:
        """A gate when the valid event failed and ``answer`` is no different from it."""
        gate = self.gate()
        control = self.control()
        if gate is not None and (answer.status, answer.error) == (control.status, control.error):
            return gate
        return None

    # -- duplicates --------------------------------------------------------------------

    def duplicates(self) -> _Duplicates:
        """The same event twice in a row, then another twice at once, with effects counted."""
        with self._lock:
            if self._duplicates is None and not self._settle_together():
                self._duplicates = self._run_duplicates()
            assert self._duplicates is not None
            return self._duplicates

    def tampered(self) -> _Tampered:
        """A valid event, then the same eventId and signature over a changed body."""
        with self._lock:
            if self._tampered is None and not self._settle_together():
                self._tampered = self._run_tampered()
            assert self._tampered is not None
            return self._tampered

    def stale(self) -> _Stale:
        """A validly signed event created days ago, with its effects when they can be seen."""
        with self._lock:
            if self._stale is None and not self._settle_together():
                self._stale = self._run_stale()
            assert self._stale is not None
            return self._stale

    def _run_tampered(self) -> _Tampered:
        observer = self.observer
        original = self.build(self.probe_type)
        before = observer.snapshot() if observer else None
        _, first = self.send(original, f"{original.event_type} (valid signature)")
        first_effects = (
            observer.wait_for(before, original.event_id, at_least=1)
            if observer is not None and before is not None
            else 0
        )
        if not first.delivered and first_effects <= 0:
            return _Tampered(first, None, first_effects, None)
        copy = self.factory.tamper(original)
        _, second = self.send(copy, _TAMPERED_SENT)
        effects = None
        if observer is not None and before is not None and first_effects > 0:
            effects = observer.settled(before, original.event_id, expected=first_effects)
        return _Tampered(first, second, first_effects, effects)

    def _run_stale(self) -> _Stale:
        event, days = self._stale_event()
        observer = self.observer if self.observable else None
        before = observer.snapshot() if observer is not None else None
        _, answer = self.send(event, _stale_sent(event, days))
        effects = None
        if answer.delivered and observer is not None and before is not None:
            effects = observer.settled(before, event.event_id, expected=0)
        return _Stale(answer, days, effects)

    def _stale_event(self) -> tuple[Event, int]:
        event = self.build(self.probe_type, signature="stale")
        return event, max(0, int(time.time()) - event.event_created) // 86_400

    def _settle_together(self) -> bool:
        """Send every probe whose effects need a settle window, then wait one window for all.

        Possible when the hook counts effects per eventId (each probe has its own) and showed
        the valid traffic's effects; otherwise each scenario waits on its own. True when done.
        """
        if self._shared_done:
            return True
        observer = self.observer
        if observer is None or not self.observable:
            return False
        before = observer.snapshot()
        if before.per_event is None:
            return False
        self._shared_done = True
        kind = self.probe_type
        repeated, original = self.build(kind), self.build(kind)
        stale, days = self._stale_event()
        forged = {mode: self.build(kind, signature=mode) for mode in FORGED_MODES}
        _, one = self.send(repeated, f"{kind} (valid signature)")
        _, first = self.send(original, f"{kind} (valid signature)")
        for mode, event in forged.items():
            self._forged[mode] = self.send(event, f"{kind} with signature mode {mode!r}")[1]
        _, stale_answer = self.send(stale, _stale_sent(stale, days))
        deadline = time.monotonic() + observer.settle
        while True:  # the first effects, early once both show
            snap = observer.snapshot()
            once = observer.count(before, snap, repeated.event_id)
            first_effects = observer.count(before, snap, original.event_id)
            if (once > 0 and first_effects > 0) or time.monotonic() >= deadline:
                break
            time.sleep(_POLL_SECONDS)
        again: Exchange | None = None
        pair: list[Delivery] = []
        second_event = self.build(kind)
        if once > 0:
            _, again = self.send(repeated, "the same event again (same body and eventId)")
            self.adopt(second_event)
            self.sender.clear()
            pair = self.sender.send(second_event, times=2, concurrently=True)
            self.sender.clear()
        second: Exchange | None = None
        if first.delivered or first_effects > 0:
            _, second = self.send(self.factory.tamper(original), _TAMPERED_SENT)
        deadline = time.monotonic() + observer.settle
        while time.monotonic() < deadline:  # one window in which every late effect can land
            time.sleep(min(_POLL_SECONDS * 5, max(0.0, deadline - time.monotonic())))
        after = observer.snapshot()

        def effects(event: Event) -> int:
            return observer.count(before, after, event.event_id)

        for mode, event in forged.items():
            if self._forged[mode].delivered:
                self._forged_effects[mode] = effects(event)
        self._stale = _Stale(stale_answer, days, effects(stale) if stale_answer.delivered else None)
        self._tampered = _Tampered(
            first, second, first_effects, effects(original) if first_effects > 0 else None
        )
        if once <= 0:
            self._duplicates = _Duplicates(once, None, None, (one,))
        else:
            assert again is not None
            self._duplicates = _Duplicates(
                once,
                effects(repeated),
                effects(second_event),
                (
                    one,
                    again,
                    *(exchange(f"another {kind}, twice at once", d) for d in pair),
                ),
            )
        return True

    def _run_duplicates(self) -> _Duplicates:
        observer = self.observer
        assert observer is not None
        first_event = self.build(self.probe_type)
        before = observer.snapshot()
        _, one = self.send(first_event, f"{first_event.event_type} (valid signature)")
        first = observer.wait_for(before, first_event.event_id, at_least=1)
        if first <= 0:
            return _Duplicates(first, None, None, (one,))
        _, again = self.send(first_event, "the same event again (same body and eventId)")
        sequential = observer.settled(before, first_event.event_id, expected=first)
        second_event = self.build(self.probe_type)
        before = observer.snapshot()
        with self._lock:
            self.adopt(second_event)
            self.sender.clear()
            pair = self.sender.send(second_event, times=2, concurrently=True)
            self.sender.clear()
        concurrent = observer.wait_for(before, second_event.event_id, at_least=first)
        if concurrent <= first:
            concurrent = observer.settled(before, second_event.event_id, expected=first)
        evidence = (
            one,
            again,
            *(exchange(f"another {second_event.event_type}, twice at once", d) for d in pair),
        )
        return _Duplicates(first, sequential, concurrent, evidence)


# -- the checks ------------------------------------------------------------------------------


def check_delivered_codes(p: Probes) -> Finding:
    traffic = p.traffic()
    failed: list[Exchange] = []
    elsewhere: dict[str, list[Exchange]] = {}
    for answer in traffic.values():
        if answer.delivered:
            continue
        owner, _ = p.attribute(answer)
        if owner == "delivered-codes":
            failed.append(answer)
        else:
            elsewhere.setdefault(owner, []).append(answer)
    judged = len(traffic) - sum(len(v) for v in elsewhere.values())
    other = "; ".join(f"{len(v)} counted under {k}" for k, v in elsewhere.items())
    evidence = tuple(traffic.values())
    if judged == 0:
        owner = max(elsewhere, key=lambda k: len(elsewhere[k]))
        reason = p.attribute(elsewhere[owner][0])[1]
        return Gate(owner, reason).skip(
            "valid events the receiver answers with a judgeable code", evidence
        )
    if failed:
        said = {(a.answer, a.body_excerpt.strip()) for a in failed}
        if len(failed) > 1 and len(said) == 1 and next(iter(said))[1]:
            status_text, text = next(iter(said))
            shown, more = f"all {status_text}, saying {text!r}", ""
        else:
            shown = ", ".join(f"{a.event_type} {a.answer}" for a in failed[:4])
            more = f", +{len(failed) - 4} more" if len(failed) > 4 else ""
        return Finding(
            Verdict.FAIL,
            f"{len(failed)} of {judged} event types not delivered: {shown}{more}",
            (
                f"Ecwid counts only {_ACCEPTED} as delivered. Anything else is retried for 24 "
                "hours, then dropped; after two weeks of failures Ecwid blocks the app's "
                "webhooks.",
                "Answer 200 to every event type you subscribed to, including the ones you do "
                "not act on (acknowledge first, then process).",
                *_auth_hint(failed),
                *_said(failed),
                *_store_hint(failed, p.factory.store_id, everything=len(failed) == judged),
                *((f"Not counted here: {other}.",) if other else ()),
            ),
            evidence,
            {"delivered": judged - len(failed), "judged": judged},
        )
    note = f" ({other})" if other else ""
    return Finding(
        Verdict.PASS,
        f"all {judged} event types delivered{note}",
        evidence=evidence,
        measurements={"delivered": judged, "judged": judged},
    )


def _said(failed: Sequence[Exchange]) -> tuple[str, ...]:
    """What the receiver said in its refusals' bodies (the reason is often there)."""
    said = sorted({a.body_excerpt.strip() for a in failed if a.body_excerpt.strip()})
    if not said:
        return ()
    shown = "; ".join(repr(text) for text in said[:3])
    return (f"The receiver said: {shown}" + (f" (+{len(said) - 3} more)" if len(said) > 3 else ""),)


def _store_hint(failed: Sequence[Exchange], store_id: int, *, everything: bool) -> tuple[str, ...]:
    if not failed or not all(a.status is not None and 400 <= a.status < 500 for a in failed):
        return ()
    mentioned = any("store" in a.body_excerpt.lower() for a in failed)
    if not mentioned and not (everything and failed[0].status not in (401,)):
        return ()
    lead = "The refusals name the store: " if mentioned else ""
    return (
        f"{lead}the events carry storeId {store_id}. A receiver that accepts only its own "
        "store refuses any other; give yours with store_id= (Python), --store-id (command "
        "line) or ecwid_store_id (pytest).",
    )


def _auth_hint(failed: Sequence[Exchange]) -> tuple[str, ...]:
    if failed and all(a.status in (401, 403) for a in failed):
        return (
            f"Every refusal was {failed[0].answer}: the receiver rejects Ecwid's signature. "
            "Check that it uses the same client secret as this run and verifies "
            f"Base64(HMAC-SHA256(client_secret, {_SIGNED})).",
        )
    return ()


def check_response_time(p: Probes) -> Finding:
    traffic = list(p.traffic().values())
    answered = [a for a in traffic if a.answered and a.duration is not None]
    timeouts = [a for a in traffic if a.error == "timeout"]
    durations = [a.duration for a in answered if a.duration is not None]
    p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
    worst = max(durations) if durations else None
    limit, slow = p.options.timeout, p.options.slow_after
    figures = {
        "count": len(durations),
        "p50_s": p50,
        "p95_s": p95,
        "max_s": worst,
        "timeouts": len(timeouts),
        "timeout_s": limit,
        "slow_after_s": slow,
    }
    times = f"p50 {format_duration(p50)}, p95 {format_duration(p95)}"
    evidence = tuple(sorted(answered, key=lambda a: -(a.duration or 0))[:5]) + tuple(timeouts)
    if timeouts:
        return Finding(
            Verdict.FAIL,
            f"{len(timeouts)} of {len(traffic)} events got no answer within {limit:g} s",
            (
                f"Ecwid waits {RESPONSE_BUDGET:g} s for an answer, then counts the delivery as "
                "failed and retries it (and the work you did may run again).",
                "Answer first (200), then do the work in a background job or queue.",
            ),
            evidence,
            figures,
        )
    if not durations:
        return Finding(
            Verdict.SKIP,
            "not judged: no HTTP answer came back (see delivered-codes)",
            ("There is nothing to time without answers.",),
            tuple(traffic[:5]),
            figures,
            blocked_by="delivered-codes",
        )
    if p95 is not None and p95 > slow:
        return Finding(
            Verdict.WARN,
            f"{times}: slower than {slow:g} s",
            (
                f"Ecwid gives up after {RESPONSE_BUDGET:g} s; at p95 {format_duration(p95)} "
                "a busy moment or a cold start is enough to lose deliveries to retries.",
                "Answer first (200), then process in the background; keep REST calls and "
                "database work out of the request.",
            ),
            evidence,
            figures,
        )
    return Finding(
        Verdict.PASS,
        f"{times} over {len(durations)} answers (limit {RESPONSE_BUDGET:g} s, warn above "
        f"{slow:g} s)",
        evidence=evidence,
        measurements=figures,
    )


def check_no_redirects(p: Probes) -> Finding:
    traffic = list(p.traffic().values())
    redirects = [a for a in traffic if a.status is not None and 300 <= a.status < 400]
    if redirects:
        return Finding(
            Verdict.FAIL,
            f"{len(redirects)} events answered with a redirect: {redirects[0].answer}",
            (
                "Ecwid does not follow redirects: a 3xx answer is a failed delivery, retried "
                "for 24 hours and then dropped.",
                "Register the final URL (scheme, host, path and trailing slash exactly as your "
                "server wants them) as the app's webhook URL.",
            ),
            tuple(redirects),
        )
    return _no_answer_skip(traffic) or Finding(
        Verdict.PASS, f"no redirects in {len(traffic)} answers"
    )


def check_no_203_208(p: Probes) -> Finding:
    traffic = list(p.traffic().values())
    odd = [a for a in traffic if a.status is not None and 200 <= a.status < 300 and not a.delivered]
    if odd:
        return Finding(
            Verdict.FAIL,
            f"{len(odd)} events answered {odd[0].answer}, which Ecwid does not accept",
            (
                f"Ecwid accepts only {_ACCEPTED}; 203, 208 and every other 2xx count as failed "
                "and are retried for 24 hours.",
                "Answer 200 (or 204 with no body).",
            ),
            tuple(odd),
        )
    return _no_answer_skip(traffic) or Finding(
        Verdict.PASS, f"every success in {len(traffic)} answers uses {_ACCEPTED}"
    )


def _no_answer_skip(traffic: Sequence[Exchange]) -> Finding | None:
    if any(a.answered for a in traffic):
        return None
    return Finding(
        Verdict.SKIP,
        "not judged: no HTTP answer came back (see delivered-codes)",
        evidence=tuple(traffic[:5]),
        blocked_by="delivered-codes",
    )


_MODE_FAULT = {
    "missing": (
        "accepted a delivery without an X-Ecwid-Webhook-Signature header",
        "Anyone who learns the URL can send fake events. Answer 401 when the header is missing.",
    ),
    "invalid": (
        "accepted a random signature",
        "The receiver does not verify signatures at all: compute "
        f"Base64(HMAC-SHA256(client_secret, {_SIGNED})), compare with hmac.compare_digest, "
        "answer 401 on a mismatch.",
    ),
    "wrong-secret": (
        "accepted a signature made with another app's client secret",
        "Verify with your own app's client secret, and answer 401 on a mismatch.",
    ),
    "access-token": (
        "accepted a signature keyed with a secret_... REST access token",
        "Ecwid signs with the app's client secret (Ecwid admin > #develop-apps > Details), "
        "not with the store's access token.",
    ),
    "hex": (
        "accepted a hex-encoded HMAC",
        "Ecwid sends the raw 32-byte HMAC in standard Base64 (44 characters, ending in '='). "
        "Compare Base64 only.",
    ),
    "body": (
        "accepted an HMAC computed over the request body",
        f"Ecwid signs {_SIGNED} and nothing else. Compute the HMAC over that string, built "
        "from the parsed body, not over the raw body.",
    ),
}

_WRONG_SCHEME = {
    "body": f"your receiver verifies the wrong string (the body instead of {_SIGNED})",
    "hex": "your receiver compares against a hex digest instead of Base64",
    "access-token": "your receiver uses the REST access token as the HMAC key instead of "
    "the client secret",
    "wrong-secret": "the receiver uses another client secret than this run (check the "
    "--client-secret you gave, and the one the receiver reads)",
    "missing": "the receiver treats a missing signature as valid but rejects real ones",
    "invalid": "the receiver's signature check is inverted",
}


def _signature_check(mode: str) -> Callable[[Probes], Finding]:
    def check(p: Probes) -> Finding:
        forged = p.forged(mode)
        control = p.control()
        fault, fix = _MODE_FAULT[mode]
        if forged.delivered:
            if not control.delivered:
                return Finding(
                    Verdict.FAIL,
                    f"accepts {_mode_noun(mode)} and rejects Ecwid's signature: "
                    f"{_WRONG_SCHEME[mode]}",
                    (
                        f"It {fault} ({forged.answer}) but answered Ecwid's own signature with "
                        f"{control.answer}, so real deliveries fail.",
                        fix,
                        f"Ecwid's header: Base64(HMAC-SHA256(client_secret, {_SIGNED})).",
                    ),
                    (forged, control),
                )
            effects = p.forged_effects(mode)
            if effects == 0:
                return Finding(
                    Verdict.PASS,
                    f"answered {_mode_noun(mode)} with {forged.answer} but did not process it "
                    f"(no effect within {p.options.settle:g} s)",
                    (_ANSWER_FIRST,),
                    (forged,),
                    {"effects": 0},
                )
            if effects is None:
                return Finding(
                    Verdict.WARN,
                    f"answered {_mode_noun(mode)} with {forged.answer}: cannot tell whether it "
                    "was processed",
                    (
                        _ANSWER_FIRST,
                        "Give an observation hook (observe=, --observe, or an ecwid_observe "
                        "fixture) whose count the receiver's valid events change: the suite "
                        "then sees whether a forgery has an effect.",
                        *_no_effects_seen(p),
                    ),
                    (forged, control),
                )
            extra: tuple[str, ...] = ()
            if mode != "invalid" and p.forged_effects("invalid"):
                extra = ("It also processes a random signature: see signature-invalid.",)
            return Finding(
                Verdict.FAIL,
                f"{fault} and processed it ({forged.answer}, {effects} effects)",
                (
                    f"A delivery signed this way must have no effect (and should get 401, not "
                    f"{_ACCEPTED}).",
                    fix,
                    *extra,
                ),
                (forged, control),
                {"effects": effects},
            )
        if forged.status is None and forged.error != "timeout":
            return Finding(
                Verdict.SKIP,
                f"not judged: no HTTP answer ({forged.answer})",
                ("A refusal must be an HTTP answer such as 401.",),
                (forged,),
                blocked_by="delivered-codes",
            )
        note = ""
        if mode == "access-token" and not p.options.access_token_given:
            note = " (a made-up token; pass the store's real one to test it)"
        verb = "refused" if 400 <= (forged.status or 0) < 500 else "did not deliver"
        return Finding(
            Verdict.PASS,
            f"{verb} {_mode_noun(mode)}: {forged.answer}{note}",
            evidence=(forged,),
        )

    check.__name__ = f"check_signature_{mode.replace('-', '_')}"
    return check


_ANSWER_FIRST = (
    "Answering 200 first and verifying after is the pattern of Ecwid's own PHP sample: it is "
    "safe only if a forgery is then dropped. Answering 401 at once is clearer, and shows "
    "attackers (and this suite) that the signature is checked."
)


def _no_effects_seen(p: Probes) -> tuple[str, ...]:
    if p.observer is None:
        return ()
    return (
        f"An observation hook was given, but the valid events showed no effect through it "
        f"within {p.options.settle:g} s, so it cannot tell either.",
    )


def _mode_noun(mode: str) -> str:
    return {
        "missing": "a delivery without signature",
        "invalid": "a random signature",
        "wrong-secret": "another app's signature",
        "access-token": "an access-token signature",
        "hex": "a hex digest",
        "body": "an HMAC over the body",
    }[mode]


_SIGNS_ONLY = (
    f"Ecwid signs only {_SIGNED}: the signature does not cover the rest of the body and does "
    "not expire, so a captured delivery can be replayed, or sent again with other data, and "
    "still verify."
)
_WHAT_TO_DO = (
    "Deduplicate by eventId (store the ids you processed; a unique key makes it atomic), "
    "re-read the entity from the REST API instead of trusting the body's data, and refuse "
    "events whose eventCreated is older than about 25 hours (Ecwid retries for 24 hours "
    "with the same eventCreated)."
)


def _stale_sent(event: Event, days: int) -> str:
    return f"{event.event_type} created {days} days ago (valid signature)"


_TAMPERED_SENT = "the same eventId and signature with changed data"


def check_replay_stale(p: Probes) -> Finding:
    stale = p.stale()
    answer, days = stale.answer, stale.days
    if answer.delivered and stale.effects == 0:
        return Finding(
            Verdict.PASS,
            f"answered an event created {days} days ago with {answer.answer} but did not "
            f"process it (no effect within {p.options.settle:g} s)",
            (_ANSWER_FIRST,),
            (answer,),
            {"age_days": days, "effects": 0},
        )
    if answer.delivered:
        return Finding(
            Verdict.WARN,
            f"accepted an event created {days} days ago ({answer.answer})",
            (_SIGNS_ONLY, _WHAT_TO_DO),
            (answer,),
            {"age_days": days},
        )
    gate = p.same_as_control(answer)
    if gate is not None:
        return gate.skip("a receiver that accepts fresh events", (answer, p.control()))
    if answer.status is None and answer.error != "timeout":
        return Finding(
            Verdict.SKIP,
            f"not judged: no HTTP answer ({answer.answer})",
            evidence=(answer,),
            blocked_by="delivered-codes",
        )
    return Finding(
        Verdict.PASS,
        f"refused an event created {days} days ago: {answer.answer}",
        evidence=(answer,),
        measurements={"age_days": days},
    )


def check_replay_tampered(p: Probes) -> Finding:
    scenario = p.tampered()
    first, second, first_effects = scenario.first, scenario.second, scenario.first_effects
    if second is None:
        gate = p.gate() or Gate("delivered-codes", f"{first.sent} got {first.answer}")
        return gate.skip("a delivery the receiver accepts", (first,))
    evidence = (first, second)
    effects = scenario.effects
    if effects is not None:
        if effects <= first_effects:
            return Finding(
                Verdict.PASS,
                f"no second effect ({second.answer}): it deduplicates by eventId",
                evidence=evidence,
                measurements={"effects": effects},
            )
        duplicates = p.duplicates()
        if duplicates.sequential is not None and duplicates.sequential > duplicates.first:
            return Finding(
                Verdict.SKIP,
                "not judged: the receiver processes even identical duplicates (see idempotency)",
                ("Deduplicate by eventId first; that also covers this case.",),
                evidence,
                {"effects": effects},
                blocked_by="idempotency",
            )
        return Finding(
            Verdict.WARN,
            f"processed a changed body under an eventId it had already processed ({effects} "
            "effects)",
            (
                _SIGNS_ONLY,
                "The receiver deduplicates identical bodies but not eventIds: key "
                "deduplication on eventId alone. " + _WHAT_TO_DO,
            ),
            evidence,
            {"effects": effects},
        )
    if second.delivered:
        return Finding(
            Verdict.WARN,
            f"accepted a changed body under an already delivered eventId ({second.answer})",
            (
                _SIGNS_ONLY,
                _WHAT_TO_DO,
                "Give an observation hook (see idempotency) to check that it had no effect.",
            ),
            evidence,
        )
    return Finding(
        Verdict.PASS,
        f"refused a changed body under an eventId it had accepted: {second.answer}",
        evidence=evidence,
    )


def check_idempotency(p: Probes) -> Finding:
    if p.observer is None:
        return Finding(
            Verdict.SKIP,
            "not judged: no observation hook",
            (
                "To check that a duplicate has no second effect, the suite must see effects. "
                "Give a callable that returns a snapshot: effects per eventId (a dict), a "
                "count, or a collection of processed items.",
                "Python: ConformanceSuite(..., observe=callable). Command line: "
                "ecwid-mock check --observe package.module:function. pytest: define a fixture "
                "named ecwid_observe that returns the callable.",
            ),
        )
    duplicates = p.duplicates()
    evidence = duplicates.evidence
    kind = p.observer.kind
    if duplicates.first <= 0:
        gate = p.gate()
        if gate is not None:
            return gate.skip("a delivery that has an effect", evidence)
        return Finding(
            Verdict.SKIP,
            f"not judged: the first delivery had no visible effect within {p.options.settle:g} s",
            (
                f"The observation hook ({kind}) did not change after {evidence[0].describe()}.",
                "Make the hook count what the receiver does, or raise the settle time "
                "(settle=, --settle) if the receiver processes later.",
            ),
            evidence,
        )
    first = duplicates.first
    sequential = duplicates.sequential or 0
    concurrent = duplicates.concurrent or 0
    figures = {"one_delivery": first, "twice_in_a_row": sequential, "twice_at_once": concurrent}
    problems = []
    if sequential > first:
        problems.append(f"twice in a row: {sequential} effects")
    if concurrent > first:
        problems.append(f"twice at once: {concurrent} effects")
    if problems:
        return Finding(
            Verdict.FAIL,
            f"duplicates had more effect than one delivery ({first}): {'; '.join(problems)}",
            (
                "Ecwid delivers an event again when an answer is late or lost, and may deliver "
                "it twice at the same moment.",
                "Deduplicate by eventId: record it atomically (a unique key, INSERT ... ON "
                "CONFLICT DO NOTHING, or SETNX) before doing the work, and skip ids you have.",
            ),
            evidence,
            figures,
        )
    return Finding(
        Verdict.PASS,
        f"one effect for the same event twice in a row and twice at once ({kind})",
        evidence=evidence,
        measurements=figures,
    )


def check_out_of_order(p: Probes) -> Finding:
    events = p.options.events
    if "order.created" not in events or "order.updated" not in events:
        return Finding(
            Verdict.SKIP,
            "not judged: needs order.created and order.updated among the subscribed events",
        )
    for needed in ("order.created", "order.updated"):
        gate = p.gate(needed)
        if gate is not None:
            return gate.skip(f"{needed} delivered in the usual order")
    with p._lock:
        order = p.factory.order()
        created, updated = order.created(), order.updated()
        sender = p.sender
        sender.clear()
        try:
            p.adopt(updated)
            late = sender.send(updated)
            answers = [exchange("order.updated before its order.created", late)]
            if late.delivered:
                return Finding(
                    Verdict.PASS,
                    f"answered order.updated for an order it had not seen yet: {answers[0].answer}",
                    evidence=tuple(answers),
                )
            early = sender.send(created)
            answers.append(exchange("then its order.created", early))
            sender.run_until_idle()
        finally:
            pending_after = sender.pending
            sender.clear()
    answers += [
        exchange("order.updated again (Ecwid's retry)", late, i)
        for i in range(1, len(late.attempts))
    ]
    first = answers[0]
    if late.delivered:
        attempt = late.attempts[-1]
        after = attempt.scheduled_at - late.attempts[0].sent_at
        return Finding(
            Verdict.PASS,
            f"refused at first ({first.answer}), recovered on retry {attempt.number - 1} "
            f"(+{after / 60:.0f} min) after order.created arrived",
            (
                "Ecwid delivers events in no particular order; this receiver failed the early "
                "update and accepted Ecwid's retry once the order existed. That works, but "
                "the update arrives late.",
            ),
            tuple(answers),
            {"attempts": len(late.attempts), "recovered_after_s": after},
        )
    hours = (late.attempts[-1].scheduled_at - late.attempts[0].sent_at) / 3600
    return Finding(
        Verdict.FAIL,
        f"order.updated before its order.created: refused on all {len(late.attempts)} "
        f"attempts ({first.answer}), dropped",
        (
            "Ecwid sends events in no particular order. This receiver refused the early "
            f"order.updated, and kept refusing Ecwid's retries over {hours:.0f} hours even "
            f"after order.created was {answers[1].answer}, so Ecwid drops the update.",
            "Answer 200 and fetch the order from the REST API (GET /orders/{data.orderId}), "
            "or store the update and apply it when the order appears; never fail for ever.",
            *((f"{pending_after} retries were still pending.",) if pending_after else ()),
        ),
        tuple(answers),
        {"attempts": len(late.attempts)},
    )


def check_unknown_fields(p: Probes) -> Finding:
    event = p.build(p.probe_type)
    payload = event.payload
    payload["futureTopLevelField"] = {"addedBy": "a future Ecwid version", "items": [1, None]}
    if isinstance(payload.get("data"), dict):
        payload["data"]["futureDataField"] = "new"
    extended = p.signed(payload)
    _, answer = p.send(
        extended, f"{event.event_type} with fields Ecwid does not send today (valid signature)"
    )
    if answer.delivered:
        return Finding(
            Verdict.PASS, f"accepted unknown fields: {answer.answer}", evidence=(answer,)
        )
    gate = p.same_as_control(answer)
    if gate is not None:
        return gate.skip("a receiver that accepts the plain event", (answer, p.control()))
    advice = (
        "Ecwid adds fields without notice. Read the fields you need and ignore the rest "
        "(no strict schema, no dataclass(**payload)).",
    )
    if answer.status is not None and 400 <= answer.status < 500:
        return Finding(
            Verdict.WARN,
            f"refused an event with unknown fields: {answer.answer}",
            (
                "It is not a crash, but the day Ecwid adds a field every delivery fails, is "
                "retried for 24 hours and dropped.",
                *advice,
            ),
            (answer, p.control()),
        )
    return Finding(
        Verdict.FAIL,
        f"unknown fields caused {answer.answer}",
        ("A 5xx or no answer means the receiver crashes on a payload it did not expect.", *advice),
        (answer, p.control()),
    )


def check_unknown_event_type(p: Probes) -> Finding:
    unknown = next(t for t in FUTURE_EVENT_TYPES if t not in p.options.events)
    base = p.build(p.probe_type)
    payload = base.payload
    payload["eventType"] = unknown
    payload.pop("data", None)
    if isinstance(payload.get("entityId"), str):
        payload["entityId"] = 1_000_001
    event = p.signed(payload)
    _, answer = p.send(event, f"{unknown}, a type Ecwid does not send today (valid signature)")
    if answer.status is not None and answer.status < 500:
        tip = (
            "; answering 200 and ignoring it would spare Ecwid 24 hours of retries"
            if not answer.delivered and p.control().delivered
            else ""
        )
        return Finding(
            Verdict.PASS,
            f"answered an unknown event type with {answer.answer}{tip}",
            evidence=(answer,),
        )
    gate = p.same_as_control(answer)
    if gate is not None:
        return gate.skip("a receiver that accepts known types", (answer, p.control()))
    return Finding(
        Verdict.FAIL,
        f"an unknown event type caused {answer.answer}",
        (
            "Ecwid adds event types (size_chart.* appeared in Ecwid's own client before any "
            "documentation). A 5xx or no answer means the receiver crashes on them.",
            "Look the type up in your handlers; answer 200 and ignore types you do not know.",
        ),
        (answer,),
    )


def check_malformed_body(p: Probes) -> Finding:
    template = p.build(p.probe_type)
    truncated = template.body[: max(1, len(template.body) // 2)]
    probes = [
        (f"{template.event_type}: a body cut off in the middle (not JSON)", truncated),
        (f"{template.event_type}: an empty body", b""),
    ]
    answers = []
    for sent, body in probes:
        event = Event(
            body=body,
            event_type=template.event_type,
            event_id=template.event_id,
            event_created=template.event_created,
            signature=template.signature,
            signature_mode="valid",
        )
        answers.append(p.send(event, sent)[1])
    crashed = [a for a in answers if a.status is None or a.status >= 500]
    if crashed:
        return Finding(
            Verdict.FAIL,
            "; ".join(f"{a.sent.split(': ', 1)[1]}: {a.answer}" for a in crashed),
            (
                "A body that is not JSON must be refused with 400 (or 401), not crash the "
                "receiver or hang it: parse inside a try block and answer 400.",
                f"Verify the {SIGNATURE_HEADER} header as part of it: a body without "
                "eventCreated and eventId cannot carry a valid signature.",
            ),
            tuple(answers),
        )
    odd = [a for a in answers if not (400 <= (a.status or 0) < 500)]
    if odd:
        gates = [p.same_as_control(a) for a in odd]
        if all(g is not None for g in gates) and gates[0] is not None:
            return gates[0].skip("a receiver that answers valid events normally", tuple(answers))
        return Finding(
            Verdict.WARN,
            "; ".join(f"{a.sent.split(': ', 1)[1]}: {a.answer}" for a in odd),
            (
                "Ecwid never sends such a body. Answer 400 so that a broken client or an "
                "attacker gets a clear refusal instead of a success.",
            ),
            tuple(answers),
        )
    return Finding(
        Verdict.PASS,
        "refused both: " + ", ".join(a.answer for a in answers),
        evidence=tuple(answers),
    )


def from_evidence(finding: Finding, p: Probes) -> Finding:
    """``finding``, unless it is a pass with nothing behind it: when the receiver accepted no
    valid event at all, refusing a probe proves nothing (it refuses everything), so the check
    is skipped and names the check that owns the refusal."""
    if finding.verdict is not Verdict.PASS:
        return finding
    gate = p.gate()
    if gate is None:
        return finding
    return gate.skip("a valid event the receiver accepts, to compare with", finding.evidence)


def check_app_secrets(p: Probes) -> Finding:
    if len(p.apps) < 2:
        return Finding(
            Verdict.SKIP,
            "not judged: one app; give several to check that the receiver tells them apart",
            (
                "Ecwid allows the same webhook URL for several apps, each with its own client "
                "secret and custom headers. Python: ConformanceSuite(apps=[EcwidApp(...), "
                "...]); command line: ecwid-mock check --apps apps.json.",
            ),
        )
    observer = p.observer if p.observable else None
    evidence: list[Exchange] = []
    refused_own: list[tuple[str, Exchange]] = []
    accepted_other: list[tuple[str, str, Exchange, int | None]] = []
    with p._lock:
        for index, line in enumerate(p.apps):
            other = p.apps[(index + 1) % len(p.apps)]
            event_type = _probe_type_for(p, line.app)
            own = line.factory.build(event_type)
            line.sender.clear()
            p.adopt(own)
            answer = exchange(
                f"{event_type} for app {line.app.name!r}, signed with its secret",
                line.sender.send(own),
            )
            evidence.append(answer)
            if not answer.delivered:
                refused_own.append((line.app.name, answer))
            foreign = other.factory.build(event_type)
            before = observer.snapshot() if observer is not None else None
            forged = exchange(
                f"{event_type} with the headers of app {line.app.name!r}, signed with the "
                f"secret of app {other.app.name!r}",
                line.sender.send(foreign),
            )
            line.sender.clear()
            evidence.append(forged)
            if forged.delivered:
                effects = (
                    observer.settled(before, foreign.event_id, expected=0)
                    if observer is not None and before is not None
                    else None
                )
                if effects != 0:
                    accepted_other.append((line.app.name, other.app.name, forged, effects))
    names = ", ".join(repr(line.app.name) for line in p.apps)
    how = (
        "Tell the apps apart by a custom header you set in each app's settings (e.g. "
        "X-Ecwid-App: shipping), then verify with that app's client secret only."
    )
    if refused_own:
        shown = "; ".join(f"app {name!r}: {a.answer}" for name, a in refused_own)
        return Finding(
            Verdict.FAIL,
            f"refused events signed with their own app's secret: {shown}",
            (
                "Each app's events are signed with that app's client secret; a receiver that "
                "verifies every app with one secret refuses all the others.",
                how,
            ),
            tuple(evidence),
        )
    processed = [a for a in accepted_other if a[3] is not None]
    if processed:
        own_name, other_name, forged, effects = processed[0]
        return Finding(
            Verdict.FAIL,
            f"processed an event for app {own_name!r} signed with the secret of app "
            f"{other_name!r} ({forged.answer}, {effects} effects)",
            (
                "The receiver accepts any of its apps' secrets for any app, so a leak of one "
                "secret lets anyone send events to every app.",
                how,
            ),
            tuple(evidence),
        )
    if accepted_other:
        own_name, other_name, forged, _ = accepted_other[0]
        return Finding(
            Verdict.WARN,
            f"answered an event for app {own_name!r} signed with the secret of app "
            f"{other_name!r} with {forged.answer}: cannot tell whether it was processed",
            (_ANSWER_FIRST, how, "Give an observation hook to see whether it had an effect."),
            tuple(evidence),
        )
    return Finding(
        Verdict.PASS,
        f"accepted each app's own events and refused the other's secret ({names})",
        evidence=tuple(evidence),
    )


def _probe_type_for(p: Probes, app: EcwidApp) -> str:
    if app.subscribes(p.probe_type):
        return p.probe_type
    return app.events[0]


@dataclass(frozen=True)
class CheckSpec:
    """One check: a stable kebab-case id, a one-line description, and its function."""

    id: str
    title: str
    run: Callable[[Probes], Finding]


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "delivered-codes",
        f"every subscribed event type is answered with a delivered code ({_ACCEPTED})",
        check_delivered_codes,
    ),
    CheckSpec(
        "response-time",
        f"answers within Ecwid's {RESPONSE_BUDGET:g} s (p50/p95; warn when slow)",
        check_response_time,
    ),
    CheckSpec("no-redirects", "no 3xx answers: Ecwid follows no redirects", check_no_redirects),
    CheckSpec(
        "no-203-208",
        "no 203, 208 or other 2xx that Ecwid does not count as delivered",
        check_no_203_208,
    ),
    *(
        CheckSpec(f"signature-{mode}", f"refuses {description}", _signature_check(mode))
        for mode, description in (
            ("missing", "a delivery without X-Ecwid-Webhook-Signature"),
            ("invalid", "a random signature"),
            ("wrong-secret", "a signature made with another app's client secret"),
            ("access-token", "a signature keyed with the REST access token"),
            ("hex", "a hex-encoded HMAC (Ecwid sends Base64)"),
            ("body", f"an HMAC over the body (Ecwid signs {_SIGNED})"),
        )
    ),
    CheckSpec(
        "replay-stale",
        "a validly signed event created days ago (a replay) is refused",
        check_replay_stale,
    ),
    CheckSpec(
        "replay-tampered",
        "a changed body under an already delivered eventId has no effect",
        check_replay_tampered,
    ),
    CheckSpec(
        "idempotency",
        "the same event twice, and twice at once, has one effect",
        check_idempotency,
    ),
    CheckSpec(
        "out-of-order",
        "order.updated before its order.created is answered, at once or on a retry",
        check_out_of_order,
    ),
    CheckSpec("unknown-fields", "unknown fields never cause a 5xx", check_unknown_fields),
    CheckSpec(
        "unknown-event-type", "an unknown event type never causes a 5xx", check_unknown_event_type
    ),
    CheckSpec(
        "app-secrets",
        "with several apps at one URL: each app's events verify with its own secret only",
        check_app_secrets,
    ),
    CheckSpec(
        "malformed-body",
        "a body that is not JSON, or empty, gets a 4xx (not a 5xx or a hang)",
        check_malformed_body,
    ),
)
