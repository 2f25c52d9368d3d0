"""The REST checks (opt-in, with a store): a receiver that fetches what a webhook names copes
with what Ecwid's REST API answers.

Ecwid's webhooks carry ids, so most receivers call ``GET /orders/{data.orderId}`` back. Given
the :class:`~ecwid_mock.EcwidStore` the receiver calls, the suite makes the store change
itself (a new order, an order deleted before its webhook arrives, a token without the
scope, a rate limit, more orders than one page), sends the webhook Ecwid would send, and
judges from both sides: what the receiver answered, and the calls the store saw. When the
receiver makes no call, a check says it observed nothing and skips; it never passes blind.

Facts used (ecwid-rest reference): a missing entity is ``404`` with ``{"errorMessage",
"errorCode": "ORDER_NOT_FOUND"}`` (2.1, 2.2); a token without the scope gets ``403
INSUFFICIENT_APP_SCOPE`` (1, 2.1); over the limit, ``429`` with an integer ``Retry-After``
(2.3); searches answer ``{total, count, offset, limit, items}`` with at most 100 items, read
by offset until ``offset + count >= total`` (3.1, 7.5); webhooks can arrive after the entity
was deleted (3.6).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .._schemas.rest import endpoint
from .checks import Probes, exchange
from .report import Exchange, Finding, Verdict

if TYPE_CHECKING:
    from .._events.event import Event
    from .._servers.store import EcwidStore
    from .._servers.store_api import StoreCall
    from .._store.changes import Change
    from .._store.state import App

__all__ = ["REST_CHECKS", "RestProbes", "RestSpec"]

#: The ``Retry-After`` of the rate-limit probe, in seconds (Ecwid sends integers).
RETRY_AFTER = 2
#: Calls within the ``Retry-After`` window from which early retries are a loop, not a retry.
LOOP_CALLS = 5
#: Orders the store holds for the paging probe: more than one page of 100.
PAGING_ORDERS = 105
_POLL_SECONDS = 0.005
_HOW_TO_POINT = (
    "Point the receiver's REST client at the store: base URL store.base_url with "
    "transport=store.transport() (or async_transport()) in-process, or store.api_url over "
    "HTTPS trusting store.cacert, with the token store.token."
)


@dataclass(frozen=True)
class SeenCall:
    """A REST call the store answered, stamped on the store's clock and the wall clock."""

    call: StoreCall
    clock: float
    wall: float


class CallTap:
    """Hears every REST call of the store (chained to any ``on_request`` already set)."""

    def __init__(self, store: EcwidStore) -> None:
        self._store = store
        self._previous = store.api.on_request
        self._lock = threading.Lock()
        self.calls: list[SeenCall] = []
        store.api.on_request = self._heard

    def _heard(self, call: StoreCall) -> None:
        seen = SeenCall(call, self._store.clock.now(), time.monotonic())
        with self._lock:
            self.calls.append(seen)
        if self._previous is not None:
            self._previous(call)

    def since(self, mark: int) -> list[SeenCall]:
        with self._lock:
            return self.calls[mark:]

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def close(self) -> None:
        if self._store.api.on_request == self._heard:
            self._store.api.on_request = self._previous


@dataclass(frozen=True)
class Scenario:
    """One REST probe: the order it is about, the webhook's answers, the calls the store saw."""

    order_id: str
    internal_id: int
    answers: tuple[Exchange, ...]
    calls: tuple[SeenCall, ...]
    window: tuple[float, float] | None = None  # (store clock, wall clock) the 429s end at
    revoked: tuple[str, ...] = ()

    @property
    def answer(self) -> Exchange:
        """The webhook's last answer (after Ecwid's retries, when there were any)."""
        return self.answers[-1]

    @property
    def named(self) -> list[SeenCall]:
        """The calls about this scenario's order."""
        return [c for c in self.calls if names(c.call, self.order_id, self.internal_id)]


def names(call: StoreCall, order_id: str, internal_id: int) -> bool:
    """True when ``call`` reads the order (by its public or internal id, in the path or query)."""
    if not call.endpoint.startswith("orders."):
        return False
    keys = {order_id, str(internal_id)}
    if keys & {unquote(part) for part in call.path.split("/")}:
        return True
    values = {part.strip() for value in call.query.values() for part in value.split(",")}
    return bool(keys & values)


def call_exchange(seen: SeenCall, note: str = "") -> Exchange:
    """A store call as evidence: ``REST call GET /orders/X: 404 Not Found ORDER_NOT_FOUND``."""
    call = seen.call
    query = "&".join(f"{k}={v}" for k, v in call.query.items() if k != "token")
    code = call.body.get("errorCode") if isinstance(call.body, dict) else None
    return Exchange(
        sent=f"REST call {call.method} {call.path}{'?' + query if query else ''}{note}",
        status=call.status,
        body_excerpt=str(code) if code else "",
        kind="rest",
    )


def _crashed(answer: Exchange) -> bool:
    """No answer, a timeout, an exception out of the app, or 500: a crash, not a choice."""
    return answer.status is None or answer.status == 500 or bool(answer.app_error)


class RestProbes:
    """Runs each REST scenario once against ``store``, for every REST check to judge."""

    def __init__(self, probes: Probes, store: EcwidStore) -> None:
        self.p = probes
        self.store = store
        missing = PAGING_ORDERS - len(store.orders)
        if missing > 0:  # more than one page, for rest-paging: seeded first, quietly
            store.seed(orders=missing)
        self.tap = CallTap(store)
        self._done: dict[str, Scenario] = {}

    @property
    def subscribed(self) -> bool:
        return "order.created" in self.p.options.events

    def close(self) -> None:
        self.tap.close()

    # -- plumbing -------------------------------------------------------------------------

    def _new_order(self) -> Change:
        """A new order in the store, and the change (the order.created) Ecwid fires for it."""
        heard: list[Change] = []
        listener = self.store.add_listener(heard.append)
        try:
            self.store.create("orders", {})
        finally:
            self.store.remove_listener(listener)
        return next(c for c in heard if c.event_type == "order.created")

    def _event(self, change: Change) -> Event:
        from .._store_events import event_for_change

        with self.p._lock:
            return event_for_change(change, self.p.factory, self.store.store_id)

    def _settle(self, mark: int, done: Callable[[list[SeenCall]], bool]) -> list[SeenCall]:
        """The calls since ``mark``, once ``done`` says so or the settle time has passed."""
        deadline = time.monotonic() + self.p.options.settle
        while True:
            calls = self.tap.since(mark)
            if done(calls) or time.monotonic() >= deadline:
                return calls
            time.sleep(_POLL_SECONDS)

    def _scenario(self, name: str, run: Callable[[], Scenario]) -> Scenario:
        with self.p._lock:
            if name not in self._done:
                self._done[name] = run()
            return self._done[name]

    def _simple(self, change: Change, sent: str, *, done: Callable[[Scenario], bool]) -> Scenario:
        order_id, internal_id = str(change.key), int(change.entity_id)
        event = self._event(change)
        mark = self.tap.mark()
        _, answer = self.p.send(event, sent, adopt=False)  # the store as the scenario made it

        def finished(calls: list[SeenCall]) -> bool:
            return done(Scenario(order_id, internal_id, (answer,), tuple(calls)))

        calls = self._settle(mark, finished)
        return Scenario(order_id, internal_id, (answer,), tuple(calls))

    # -- the scenarios ----------------------------------------------------------------------

    def fetch(self) -> Scenario:
        """order.created for an order the store holds."""

        def run() -> Scenario:
            change = self._new_order()
            return self._simple(
                change,
                f"order.created for order {change.key}, which the store holds",
                done=lambda s: any(c.call.status == 200 for c in s.named),
            )

        return self._scenario("fetch", run)

    def not_found(self) -> Scenario:
        """order.created for an order deleted before the webhook arrived."""

        def run() -> Scenario:
            change = self._new_order()
            self.store.delete("orders", change.key)
            return self._simple(
                change,
                f"order.created for order {change.key}, deleted before the webhook arrived",
                done=lambda s: bool(s.named),
            )

        return self._scenario("not_found", run)

    def scope(self) -> Scenario:
        """order.created while the app's token lacks the scope of the call it made."""

        def run() -> Scenario:
            app, needed = self._app_and_scopes()
            change = self._new_order()
            before = app.scopes
            app.scopes = frozenset(before - set(needed))
            try:
                scenario = self._simple(
                    change,
                    f"order.created for order {change.key}, while the app's token lacks "
                    f"{', '.join(needed)}",
                    done=lambda s: bool(s.named),
                )
            finally:
                app.scopes = before
            return Scenario(
                scenario.order_id,
                scenario.internal_id,
                scenario.answers,
                scenario.calls,
                revoked=needed,
            )

        return self._scenario("scope", run)

    def _app_and_scopes(self) -> tuple[App, tuple[str, ...]]:
        """The app the receiver called as, and the scopes of its fetch (default read_orders)."""
        fetched = [c for c in self.fetch().named if c.call.status == 200]
        app = self.store.app
        scopes: tuple[str, ...] = ("read_orders",)
        if fetched:
            call = fetched[0].call
            app = next((a for a in self.store.state.apps.values() if a.name == call.app), app)
            needs = [s for need in endpoint(call.endpoint)["scopes"] for s in need.split("|")]
            scopes = tuple(s for s in needs if s != "read_store_profile") or scopes
        return app, scopes

    def rate_limited(self) -> Scenario:
        """order.created while every call is answered 429 with Retry-After for a while."""

        def run() -> Scenario:
            change = self._new_order()
            order_id, internal_id = str(change.key), int(change.entity_id)
            event = self._event(change)
            mark = self.tap.mark()
            clock = self.store.clock
            window = (clock.now() + RETRY_AFTER, time.monotonic() + RETRY_AFTER)
            self.store.fail_next(429, retry_after=RETRY_AFTER, seconds=RETRY_AFTER)
            sender = self.p.sender
            sent = f"order.created for order {order_id}, while the store answers 429"
            sender.clear()
            try:
                delivery = sender.send(event)
                first = exchange(sent, delivery)
                clock.wait_until(window[0])  # the limit ends before Ecwid's first retry
                if not delivery.delivered:
                    sender.run_until_idle()
            finally:
                sender.clear()
            answers = [first] + [
                exchange("order.created again (Ecwid's retry)", delivery, i)
                for i in range(1, len(delivery.attempts))
            ]

            def fetched(calls: list[SeenCall]) -> bool:
                return any(
                    c.call.status == 200 and names(c.call, order_id, internal_id) for c in calls
                )

            calls = self._settle(mark, fetched)
            return Scenario(order_id, internal_id, tuple(answers), tuple(calls), window)

        return self._scenario("rate_limited", run)

    def paging(self) -> Scenario:
        """order.created while the store holds more orders than one search page."""

        def run() -> Scenario:
            change = self._new_order()
            return self._simple(
                change,
                f"order.created for order {change.key}, with {len(self.store.orders)} orders "
                "in the store",
                done=lambda s: _searches_complete(s.calls),
            )

        return self._scenario("paging", run)


# -- searches ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """The pages one search read (same endpoint and filters, any offset and limit)."""

    label: str
    total: int | None
    pages: tuple[tuple[int, int], ...]  # (offset, count) of each page answered 200
    calls: tuple[SeenCall, ...]

    @property
    def read(self) -> int:
        """Items read from offset 0 on, without a gap."""
        reach = 0
        for offset, count in sorted(self.pages):
            if offset > reach:
                break
            reach = max(reach, offset + count)
        return reach

    @property
    def one_page(self) -> bool:
        return self.total is not None and self.total <= max((c for _, c in self.pages), default=0)

    @property
    def complete(self) -> bool:
        return self.total is not None and self.read >= self.total


def searches(calls: Sequence[SeenCall]) -> list[Search]:
    """The receiver's searches (endpoints answering Ecwid's envelope), grouped by filters."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[SeenCall]] = {}
    for seen in calls:
        call = seen.call
        if call.method != "GET" or not call.endpoint or _kind(call.endpoint) != "envelope":
            continue
        filters = tuple(
            sorted((k, v) for k, v in call.query.items() if k not in ("offset", "limit", "token"))
        )
        groups.setdefault((call.endpoint, filters), []).append(seen)
    found = []
    for (_, filters), group in groups.items():
        pages, totals = [], []
        for seen in group:
            body = seen.call.body
            if seen.call.status != 200 or not isinstance(body, dict):
                continue
            count = body.get("count")
            if isinstance(body.get("total"), int):
                totals.append(body["total"])
            if isinstance(count, int):
                offset = body.get("offset")
                pages.append((offset if isinstance(offset, int) else 0, count))
        first = group[0].call
        shown = "&".join(f"{k}={v}" for k, v in filters)
        label = f"GET {first.path}{'?' + shown if shown else ''}"
        total = max(totals) if totals else None
        found.append(Search(label, total, tuple(pages), tuple(group)))
    return found


def _kind(endpoint_id: str) -> str:
    try:
        response = endpoint(endpoint_id).get("response") or {}
    except KeyError:
        return ""
    return str(response.get("kind", "")) if isinstance(response, dict) else ""


def _searches_complete(calls: Sequence[SeenCall]) -> bool:
    found = searches(calls)
    return bool(found) and all(s.complete for s in found)


# -- the checks -------------------------------------------------------------------------------


def _no_store() -> Finding:
    return Finding(
        Verdict.SKIP,
        "not judged: no store; give the store the receiver calls to run the REST checks",
        (
            "Python: ConformanceSuite(..., store=EcwidStore()); pytest: a fixture named "
            "ecwid_conformance_store; command line: ecwid-mock check --app ... --store.",
            _HOW_TO_POINT,
        ),
    )


def _precondition(r: RestProbes | None, *, fetched: bool = True) -> Finding | None:
    """Why a check cannot judge: no store, order.created not subscribed, or (``fetched``)
    no fetch of an order that exists (rest-fetch owns that finding)."""
    if r is None:
        return _no_store()
    if not r.subscribed:
        return Finding(Verdict.SKIP, "not judged: needs order.created among the subscribed events")
    if fetched and not any(c.call.status == 200 for c in r.fetch().named):
        return Finding(
            Verdict.SKIP,
            "not judged: the receiver did not fetch an order the store holds (see rest-fetch)",
            ("This check changes what the fetch gets; it needs a fetch that works first.",),
            blocked_by="rest-fetch",
        )
    return None


def _not_observed(r: RestProbes, scenario: Scenario, what: str) -> Finding:
    """Why a scenario shows nothing to judge: the receiver refused the event, made no call
    at all (rest-fetch owns that), or made calls but none about the order."""
    answer = scenario.answers[0]
    evidence = (answer, *(call_exchange(c) for c in scenario.calls[:8]))
    settle = r.p.options.settle
    if not scenario.calls and not answer.delivered:
        gate = r.p.gate("order.created")
        if gate is not None:
            return gate.skip("order.created delivered", evidence)
    calls = ", ".join(str(c.call) for c in scenario.calls[:3])
    made = f"it called {calls}, but not" if scenario.calls else "it made no REST call"
    return Finding(
        Verdict.SKIP,
        f"not observed: {made} for order {scenario.order_id} within {settle:g} s of "
        f"answering {answer.answer}",
        (
            f"This check needs {what}. A receiver that never calls the REST API has nothing "
            "to judge here; one that answers first and fetches later may need a longer "
            "settle (settle=, --settle).",
            _HOW_TO_POINT,
        ),
        evidence,
    )


def _token_refused(scenario: Scenario) -> Finding | None:
    refused = [c for c in scenario.calls if _code(c.call) == "INVALID_API_TOKEN"]
    if not refused or any(c.call.status == 200 for c in scenario.calls):
        return None
    evidence = tuple(call_exchange(c) for c in refused[:4])
    if any("token" in c.call.query for c in refused):
        return Finding(
            Verdict.FAIL,
            "passes the token as ?token=, which Ecwid refuses since 20 March 2025",
            (
                "Send it as a header: Authorization: Bearer <token>. Ecwid answers a token in "
                "the query string 403 INVALID_API_TOKEN.",
            ),
            evidence,
        )
    return Finding(
        Verdict.SKIP,
        "not judged: the store refused the receiver's token (403 INVALID_API_TOKEN)",
        ("The receiver calls the store with a token the store did not issue.", _HOW_TO_POINT),
        evidence,
    )


def _code(call: StoreCall) -> str:
    body = call.body
    return str(body.get("errorCode", "")) if isinstance(body, dict) else ""


def check_fetch(r: RestProbes | None) -> Finding:
    pre = _precondition(r, fetched=False)
    if pre is not None or r is None:
        return pre or _no_store()
    scenario = r.fetch()
    refused = _token_refused(scenario)
    if refused is not None:
        return refused
    answer = scenario.answer
    named = scenario.named
    if not named:
        return _not_observed(r, scenario, "a receiver that fetches the order a webhook names")
    ok = [c for c in named if c.call.status == 200]
    evidence = (answer, *(call_exchange(c) for c in named[:6]))
    figures = {"calls": len(scenario.calls), "order_calls": len(named)}
    if not ok:
        first = named[0].call
        return Finding(
            Verdict.WARN,
            f"asked for the order and got {first.status} {_code(first)}: {first}",
            (
                f"The store holds order {scenario.order_id} (internal id "
                f"{scenario.internal_id}). Fetch it as GET /orders/{{data.orderId}}, the "
                "public id the webhook carries (url-encoded: it may have a prefix).",
            ),
            evidence,
            figures,
        )
    shown = f"{ok[0].call}"
    if answer.delivered:
        return Finding(
            Verdict.PASS,
            f"fetched the order ({shown}), then answered {answer.answer}",
            evidence=evidence,
            measurements=figures,
        )
    verdict = Verdict.FAIL if _crashed(answer) else Verdict.WARN
    return Finding(
        verdict,
        f"fetched the order ({shown}) but answered {answer.answer}",
        (
            "The fetch worked, so the receiver fails on the order Ecwid's API returns: "
            "read the fields you need and expect omitted ones (Ecwid leaves out empty fields "
            "instead of sending null).",
            "Ecwid retries an event that is not delivered for 24 hours, then drops it.",
        ),
        evidence,
        figures,
    )


_GONE = (
    "Ecwid queues webhooks and retries them for hours: an order can be deleted before its "
    "event is delivered, and the fetch then gets 404 ORDER_NOT_FOUND. The 404 will not go "
    "away, so every retry fails the same way, for 24 hours, and each failure counts toward "
    "blocking the app's webhooks."
)
_GONE_FIX = "Treat a 404 as 'gone': answer 200 (note it, or handle it as a deletion)."


@dataclass(frozen=True)
class _Fetched:
    """What a scenario's fetch of the named order got, and the receiver's answer after it."""

    scenario: Scenario
    answer: Exchange
    got: str  # "404 ORDER_NOT_FOUND"
    evidence: tuple[Any, ...]


def _fetched(r: RestProbes | None, play: Callable[[RestProbes], Scenario]) -> _Fetched | Finding:
    """Play a scenario whose receiver should fetch the order: its evidence, or why not judged."""
    pre = _precondition(r)
    if pre is not None or r is None:
        return pre or _no_store()
    scenario = play(r)
    named = scenario.named
    if not named:
        return _not_observed(r, scenario, "a receiver that fetches the order a webhook names")
    first = named[0].call
    evidence = (scenario.answer, *(call_exchange(c) for c in named[:6]))
    return _Fetched(scenario, scenario.answer, f"{first.status} {_code(first)}".strip(), evidence)


def check_not_found(r: RestProbes | None) -> Finding:
    fetched = _fetched(r, RestProbes.not_found)
    if isinstance(fetched, Finding):
        return fetched
    answer, got, evidence = fetched.answer, fetched.got, fetched.evidence
    figures = {"order_calls": len(fetched.scenario.named)}
    if answer.delivered:
        return Finding(
            Verdict.PASS,
            f"its fetch got {got}; it answered {answer.answer}",
            evidence=evidence,
            measurements=figures,
        )
    raised = f" (the app raised {answer.raised})" if answer.raised else ""
    crashed = _crashed(answer) or (answer.status or 0) >= 500
    return Finding(
        Verdict.FAIL if crashed else Verdict.WARN,
        f"its fetch got {got}, then it answered {answer.answer}{raised}",
        (_GONE, _GONE_FIX),
        evidence,
        figures,
    )


def check_scope(r: RestProbes | None) -> Finding:
    fetched = _fetched(r, RestProbes.scope)
    if isinstance(fetched, Finding):
        return fetched
    answer, got, evidence = fetched.answer, fetched.got, fetched.evidence
    figures = {
        "order_calls": len(fetched.scenario.named),
        "revoked": list(fetched.scenario.revoked),
    }
    if answer.delivered:
        return Finding(
            Verdict.PASS,
            f"its fetch got {got}; it answered {answer.answer}",
            (
                "Log it and alert whoever can re-authorise the app: the token gains no scope "
                "by itself.",
            ),
            evidence,
            figures,
        )
    raised = f" (the app raised {answer.raised})" if answer.raised else ""
    crashed = _crashed(answer)
    return Finding(
        Verdict.FAIL if crashed else Verdict.WARN,
        f"its fetch got {got}, then it answered {answer.answer}{raised}",
        (
            *(("A crash or a hang is never the answer: catch the REST error.",) if crashed else ()),
            "A token lacks a scope when the merchant has not approved the scopes the app "
            "asks for (after an app update, or a reissued token). Ecwid retries the event for "
            "24 hours, but the token gains no scope by itself, and each failed delivery "
            "counts toward blocking the app's webhooks.",
            "Answer 200, log the 403 and alert whoever can re-authorise the app; refusing "
            "the event on purpose only makes sense if a person fixes the scope within Ecwid's "
            "24 hours of retries.",
        ),
        evidence,
        figures,
    )


def check_retry_after(r: RestProbes | None) -> Finding:
    pre = _precondition(r)
    if pre is not None or r is None:
        return pre or _no_store()
    scenario = r.rate_limited()
    calls = list(scenario.calls)
    limited = [c for c in calls if c.call.status == 429]
    if not limited and scenario.named:
        return Finding(
            Verdict.SKIP,
            f"not observed: no call came in the {RETRY_AFTER} s the store answered 429",
            evidence=(scenario.answers[0], *(call_exchange(c) for c in calls[:8])),
        )
    if not limited:
        return _not_observed(r, scenario, "a receiver that calls the store while it is limited")
    assert scenario.window is not None
    ends_clock, ends_wall = scenario.window
    start = limited[0]
    after = calls[calls.index(start) + 1 :]
    early = [c for c in after if c.clock < ends_clock - 1e-6 and c.wall < ends_wall - 0.05]
    fetched = [c for c in scenario.named if c.call.status == 200]
    first, last = scenario.answers[0], scenario.answer
    retries = len(scenario.answers) - 1
    evidence = (
        *scenario.answers[:3],
        *(call_exchange(c, _offset(c, start)) for c in calls[:8]),
    )
    figures = {
        "retry_after_s": RETRY_AFTER,
        "calls": len(calls),
        "calls_answered_429": len(limited),
        "early_calls": len(early),
        "webhook_retries": retries,
    }
    if first.error == "timeout":
        return Finding(
            Verdict.FAIL,
            f"answered nothing within {r.p.options.timeout:g} s while rate limited "
            f"({len(calls)} REST calls)",
            (
                "Ecwid waits 10 s for an answer. Do not wait out a long Retry-After inside the "
                "request: answer 503 and let Ecwid redeliver the event, or queue the work.",
            ),
            evidence,
            figures,
        )
    if len(early) >= LOOP_CALLS - 1:
        span = early[-1].wall - start.wall
        return Finding(
            Verdict.FAIL,
            f"called the store {len(early) + 1} times in {span * 1000:.0f} ms after a 429 "
            f"that said Retry-After: {RETRY_AFTER} (a tight loop)",
            (
                "Ecwid counts every call against the token's 600 a minute, and a token that "
                "keeps calling while limited is blocked for longer.",
                "Wait Retry-After seconds before calling again (Ecwid's own client sleeps "
                "it, and gives up above 60 s), or answer the webhook 503 and let Ecwid "
                "redeliver it minutes later.",
            ),
            evidence,
            figures,
        )
    if early:
        gap = early[0].wall - start.wall
        return Finding(
            Verdict.WARN,
            f"called again {gap * 1000:.1f} ms after a 429 that said Retry-After: "
            f"{RETRY_AFTER} ({len(early)} early call{'s' if len(early) > 1 else ''})",
            (
                "An early retry gets another 429 and counts against the token's limit. Wait "
                "Retry-After seconds before calling again, or answer the webhook 503 and let "
                "Ecwid redeliver it.",
            ),
            evidence,
            figures,
        )
    if fetched:
        how = (
            f"answered {first.answer}, and fetched the order on Ecwid's retry"
            if not first.delivered and retries
            else f"waited for Retry-After and fetched the order ({fetched[0].call})"
        )
        return Finding(
            Verdict.PASS,
            f"got 429 (Retry-After: {RETRY_AFTER}), {how}",
            evidence=evidence,
            measurements=figures,
        )
    if not last.delivered:
        return Finding(
            Verdict.FAIL,
            f"refused the event on all {len(scenario.answers)} attempts ({last.answer}), "
            "also after the rate limit had ended",
            ("Ecwid drops an event after 24 hours of failed retries.",),
            evidence,
            figures,
        )
    return Finding(
        Verdict.WARN,
        f"got 429, answered {first.answer} and never fetched order {scenario.order_id}",
        (
            "What the event named is lost: the receiver acknowledged it without the data. "
            "Retry after Retry-After seconds (from a queue), or answer 503 so that Ecwid "
            "redelivers the event.",
        ),
        evidence,
        figures,
    )


def _offset(seen: SeenCall, start: SeenCall) -> str:
    gap = max(seen.clock - start.clock, seen.wall - start.wall)
    return f" (+{gap:.3f} s)" if seen is not start else " (first 429)"


def check_paging(r: RestProbes | None) -> Finding:
    pre = _precondition(r)
    if pre is not None or r is None:
        return pre or _no_store()
    scenario = r.paging()
    found = searches(scenario.calls)
    evidence_calls = [c for s in found for c in s.calls]
    evidence = (scenario.answer, *(call_exchange(c) for c in evidence_calls[:10]))
    if not found:
        fetch = r.fetch()
        if not fetch.named and not scenario.calls:
            return _not_observed(r, scenario, "a receiver that searches")
        return Finding(
            Verdict.SKIP,
            "not observed: the receiver made no search call (GET /orders, /products, ... "
            f"with offset and limit) within {r.p.options.settle:g} s",
            (
                "This check judges paging when a receiver searches; fetching one order by "
                "its id needs none.",
            ),
            evidence,
        )
    multi = [s for s in found if not s.one_page]
    if not multi:
        shown = "; ".join(f"{s.label}: total {s.total}" for s in found[:3])
        return Finding(
            Verdict.SKIP,
            f"not observed: every search fit on one page ({shown})",
            (
                f"The store held {len(r.store.orders)} orders; the receiver's searches "
                "matched fewer than one page, so paging was never needed.",
            ),
            evidence,
        )
    short = [s for s in multi if not s.complete]
    figures = {
        "searches": [
            {"search": s.label, "total": s.total, "read": s.read, "pages": len(s.pages)}
            for s in multi
        ]
    }
    advice = (
        "Ecwid answers at most 100 items a page as {total, count, offset, limit, items}. "
        "Read with offset += count until offset + count >= total; do not assume "
        "count == limit.",
    )
    if short:
        s = short[0]
        offsets = ", ".join(str(o) for o, _ in sorted(s.pages)) or "none"
        return Finding(
            Verdict.FAIL,
            f"{s.label} read {s.read} of {s.total} items (offsets {offsets}): it stops "
            "before total",
            advice,
            evidence,
            figures,
        )
    shown = "; ".join(f"{s.label}: {len(s.pages)} pages up to total {s.total}" for s in multi[:3])
    return Finding(
        Verdict.PASS, f"paged by offset: {shown}", evidence=evidence, measurements=figures
    )


@dataclass(frozen=True)
class RestSpec:
    """One REST check: a stable id, a one-line description, and its function."""

    id: str
    title: str
    run: Callable[[RestProbes | None], Finding]


REST_CHECKS: tuple[RestSpec, ...] = (
    RestSpec(
        "rest-fetch",
        "after order.created the receiver fetches the order from the store (GET /orders/{id})",
        check_fetch,
    ),
    RestSpec(
        "rest-not-found",
        "an order deleted before its webhook: the fetch gets 404 and the event is still "
        "answered with a delivered code",
        check_not_found,
    ),
    RestSpec(
        "rest-scope",
        "a token without the scope: the fetch gets 403 INSUFFICIENT_APP_SCOPE and the "
        "receiver neither crashes nor hangs",
        check_scope,
    ),
    RestSpec(
        "rest-retry-after",
        f"a 429 with Retry-After: {RETRY_AFTER}: the receiver waits that long or leaves the "
        "retry to Ecwid, never loops",
        check_retry_after,
    ),
    RestSpec(
        "rest-paging",
        "searches read every page by offset up to total (more than 100 orders)",
        check_paging,
    ),
)
