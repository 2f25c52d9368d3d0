"""The mock store's REST API v3 as an ASGI app (Starlette), answering from one :class:`StoreState`.

Routes, scopes and answer shapes come from ``schemas/rest/api.json``. Every request goes
through the same steps, in Ecwid's order: forced faults, the token (``Authorization: Bearer``
only; the ``?token=`` query was switched off on 2025-03-20), the per-token rate limit, the
endpoint's scopes, then the endpoint itself. Every call is recorded in :class:`StoreCalls`.
"""

from __future__ import annotations

import functools
import json
import math
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import InvalidOption, StoreAssertionError
from .._schemas.rest import api_facts, endpoint
from .._store.state import App, StoreKeyError, StoreState
from ._store_errors import ApiError
from ._store_routes import RouteOptions, handle

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["StoreAPI", "StoreCall", "StoreCalls"]


@dataclass(frozen=True)
class StoreCall:
    """One REST call and its answer, as the store saw them."""

    method: str
    path: str
    query: Mapping[str, str]
    status: int
    body: Any
    endpoint: str
    app: str = ""
    request_body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items() if k != "token")
        return f"{self.method} {self.path}{'?' + query if query else ''} -> {self.status}"


class StoreCalls:
    """The REST calls made to the store, in order (list-like, like respx's CallList)."""

    def __init__(self) -> None:
        self._items: list[StoreCall] = []

    def record(self, call: StoreCall) -> None:
        self._items.append(call)

    def clear(self) -> None:
        self._items.clear()

    def __getitem__(self, index: int) -> StoreCall:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoreCall]:
        return iter(self._items)

    @property
    def called(self) -> bool:
        return bool(self._items)

    @property
    def call_count(self) -> int:
        return len(self._items)

    @property
    def last(self) -> StoreCall:
        if not self._items:
            raise StoreAssertionError("ecwid-mock: no REST call was made to the store")
        return self._items[-1]

    def of(self, method: str, path: str | None = None) -> list[StoreCall]:
        """Calls with this method (and path after ``/api/v3/{storeId}``, e.g. ``/orders/K8XTQ``)."""
        method = method.upper()
        return [c for c in self._items if c.method == method and (path is None or c.path == path)]

    def assert_called(self, method: str, path: str, *, times: int | None = None) -> list[StoreCall]:
        """Fail, listing every call made, unless ``method path`` was called (``times`` times)."""
        found = self.of(method, path)
        if (times is None and not found) or (times is not None and len(found) != times):
            wanted = f"{method.upper()} {path}" + ("" if times is None else f" {times} time(s)")
            raise StoreAssertionError(
                f"ecwid-mock: expected {wanted}, got {len(found)}; calls made:\n{self.describe()}"
            )
        return found

    def describe(self) -> str:
        return "\n".join(f"  {n}. {call}" for n, call in enumerate(self._items, 1)) or "  (none)"

    def __repr__(self) -> str:
        return f"<StoreCalls {len(self)}>"


@dataclass
class _Fault:
    status: int
    count: int
    retry_after: int = 0
    path: str | None = None
    until: float | None = None  # a window on the store's clock instead of a count


class StoreAPI:
    """The REST API over one store: an ASGI app, its rate limit, forced faults and the call log.

    ``rate_limit`` is requests per minute per token (Ecwid: 600), counted on the store's
    clock. ``legacy_query_token=True`` accepts ``?token=`` as Ecwid did before March 2025.
    """

    def __init__(
        self,
        state: StoreState,
        *,
        rate_limit: int = 600,
        legacy_query_token: bool = False,
        on_request: Callable[[StoreCall], None] | None = None,
        options: RouteOptions | None = None,
    ) -> None:
        if isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1:
            raise InvalidOption("rate_limit", rate_limit, "requests per minute, an integer >= 1")
        self.state = state
        self.rate_limit = rate_limit
        self.legacy_query_token = legacy_query_token
        self.calls = StoreCalls()
        self.on_request = on_request
        self.options = options or RouteOptions()
        self._windows: dict[str, deque[float]] = {}
        self._faults: list[_Fault] = []
        self._app: Starlette | None = None

    # -- faults on demand ---------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: int = 30,
        path: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Answer the next ``count`` calls (to ``path`` only, if given) with 429 or a 5xx.

        With ``seconds``, every call for the next ``seconds`` on the store's clock, as a real
        rate limit does (``count`` is unused); a 429's ``Retry-After`` counts down.
        """
        if status != 429 and not 500 <= status <= 599:
            raise InvalidOption("status", status, "429 or a 5xx status")
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0
        ):
            raise InvalidOption("seconds", seconds, "a positive number of seconds or None")
        until = None if seconds is None else self.state.clock.now() + seconds
        self._faults.append(_Fault(status, count, retry_after, path, until))

    def reset(self) -> None:
        """Forget calls, rate-limit windows and pending faults."""
        self.calls.clear()
        self._windows.clear()
        self._faults.clear()

    # -- the ASGI app -------------------------------------------------------------------------

    @property
    def app(self) -> Starlette:
        if self._app is None:
            from ._store_asgi import build_app

            self._app = build_app(self)
        return self._app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def respond(
        self,
        endpoint_id: str,
        method: str,
        store_id: str,
        path: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], Any]:
        """One call, start to end: (status, extra headers, JSON body or text)."""
        app: App | None = None
        request_body: Any = None
        try:
            self._fault(path)
            app = self._authorise(store_id, headers, params)
            self._count(app)
            self._check_scopes(app, endpoint_id)
            if body:
                request_body = _json_body(body, headers)
            answer = handle(self.state, app, endpoint_id, path, params, request_body, self.options)
            status, extra, payload = answer.status, answer.headers, answer.body
            if isinstance(payload, (dict, list)) and "responseFields" in params:
                payload = _select(payload, params["responseFields"])
        except ApiError as exc:
            status, extra, payload = exc.status, exc.headers, exc.body()
        except StoreKeyError as exc:
            status, extra, payload = (
                404,
                {},
                {"errorMessage": exc.message, "errorCode": exc.error_code},
            )
        except InvalidOption as exc:  # a write's body the store cannot take, as Ecwid's 400
            status, extra, payload = 400, {}, {"errorMessage": str(exc), "errorCode": _BAD}
        except (TypeError, ValueError) as exc:
            if request_body is None:
                raise
            message = f"A field of the request body has the wrong type or value ({exc})"
            status, extra, payload = 400, {}, {"errorMessage": message, "errorCode": _BAD}
        call = StoreCall(
            method=method,
            path=path,
            query={k: ("***" if k == "token" else v) for k, v in params.items()},
            status=status,
            body=payload,
            endpoint=endpoint_id,
            app=app.name if app else "",
            request_body=request_body,
            headers={k: ("***" if k == "authorization" else v) for k, v in headers.items()},
        )
        self.calls.record(call)
        if self.on_request is not None:
            self.on_request(call)
        return status, extra, payload

    def _fault(self, path: str) -> None:
        now = self.state.clock.now()
        for fault in self._faults:
            if fault.count > 0 and (fault.path is None or fault.path == path):
                retry_after = fault.retry_after
                if fault.until is None:
                    fault.count -= 1
                else:
                    if now >= fault.until:
                        fault.count = 0
                        self._faults = [f for f in self._faults if f.count > 0]
                        continue
                    retry_after = max(1, math.ceil(fault.until - now))
                self._faults = [f for f in self._faults if f.count > 0]
                if fault.status == 429:
                    raise ApiError(
                        429,
                        "RATE_LIMITED",
                        "Too many requests",
                        {"Retry-After": str(retry_after)},
                    )
                raise ApiError(
                    fault.status, "INTERNAL_ERROR", "Internal server error (forced by the test)"
                )

    def _authorise(
        self, store_id: str, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> App:
        if not store_id.isdigit() or int(store_id) != self.state.store_id:
            raise ApiError(403, "INVALID_API_TOKEN", f"Invalid token for store {store_id}")
        header = headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        if not token and self.legacy_query_token:
            token = params.get("token", "")
        app = self.state.app_for(token) if token else None
        if app is None:
            reason = (
                "Token passed in the query string is no longer accepted"
                if params.get("token")
                else "Invalid access token"
            )
            raise ApiError(403, "INVALID_API_TOKEN", reason)
        return app

    def _count(self, app: App) -> None:
        now = self.state.clock.now()
        window = self._windows.setdefault(app.token, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.rate_limit:
            retry = max(1, math.ceil(window[0] + 60 - now))
            raise ApiError(429, "RATE_LIMITED", "Too many requests", {"Retry-After": str(retry)})
        window.append(now)

    def _check_scopes(self, app: App, endpoint_id: str) -> None:
        if app.public_of is not None:
            if endpoint_id not in _public_endpoints():
                raise ApiError(
                    403,
                    "INSUFFICIENT_APP_SCOPE",
                    f"A public token gives storefront data only: {endpoint_id} needs the "
                    "app's secret token",
                )
            return
        for need in _endpoint_scopes(endpoint_id):
            options = need.split("|")
            if not any(scope in app.scopes for scope in options):
                raise ApiError(
                    403, "INSUFFICIENT_APP_SCOPE", f"Access token doesn't have `{options[0]}` scope"
                )


_BAD = "WRONG_PARAMETER"


@functools.cache
def _public_endpoints() -> frozenset[str]:
    return frozenset(api_facts()["publicToken"]["endpoints"])


def _endpoint_scopes(endpoint_id: str) -> list[str]:
    return list(endpoint(endpoint_id)["scopes"])


def _json_body(body: bytes, headers: Mapping[str, str]) -> Any:
    content_type = headers.get("content-type", "")
    if "json" not in content_type:
        raise ApiError(
            415,
            "WRONG_PARAMETER",
            "Unsupported content type: expected application/json or text/json",
        )
    try:
        return json.loads(body)
    except ValueError:
        raise ApiError(400, "WRONG_PARAMETER", "Request body is not valid JSON") from None


def _parse_fields(text: str) -> dict[str, Any]:
    """``total,items(id,email)`` -> {"total": {}, "items": {"id": {}, "email": {}}}."""
    tree: dict[str, Any] = {}
    stack = [tree]
    name = ""
    for char in text + ",":
        if char in ",()":
            if name.strip():
                stack[-1][name.strip()] = {}
            if char == "(":
                stack.append(stack[-1][name.strip()])
            elif char == ")" and len(stack) > 1:
                stack.pop()
            name = ""
        else:
            name += char
    return tree


def _select(payload: Any, fields: str) -> Any:
    tree = _parse_fields(fields)

    def pick(node: Any, spec: dict[str, Any]) -> Any:
        if not spec:
            return node
        if isinstance(node, list):
            return [pick(item, spec) for item in node]
        if isinstance(node, dict):
            return {k: pick(v, spec[k]) for k, v in node.items() if k in spec}
        return node

    return pick(payload, tree)
