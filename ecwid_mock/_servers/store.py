"""``EcwidStore``: a mock Ecwid store with its REST API, reachable in-process or over real HTTPS.

It joins the store's state (records, apps, change records) to the REST API app and hands out
ways to reach it: an httpx transport (sync and async) that answers ``https://app.ecwid.com``
in-process, and a local HTTPS server on 127.0.0.1 with a throwaway CA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._clock import Clock
from .._errors import InvalidOption
from .._store.changes import Change
from .._store.state import App, Records, StoreState
from ._store_routes import RouteOptions
from .store_api import StoreAPI, StoreCall, StoreCalls

if TYPE_CHECKING:
    import httpx

    from .tls import LocalHTTPSServer

__all__ = ["API_HOST", "EcwidStore"]

#: The host every Ecwid app calls; the in-process transport answers for it.
API_HOST = "app.ecwid.com"


class EcwidStore:
    """A stateful mock Ecwid store: records, installed apps, the REST API and its call log.

    ``EcwidStore(seed=0).seed(orders=30)`` gives the same records on every run. Receivers
    reach it through :meth:`transport` (httpx, in-process) or :meth:`serve_https`; writes
    (REST or :meth:`create`/:meth:`update`/:meth:`delete`) reach :meth:`add_listener` callbacks.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        store_id: int | None = None,
        locale: str = "en_US",
        clock: Clock | None = None,
        scopes: Iterable[str] | None = None,
        rate_limit: int = 600,
        search_lag: float = 0.0,
        order_prefix: str = "",
        order_suffix: str = "",
        legacy_query_token: bool = False,
        on_request: Callable[[StoreCall], None] | None = None,
        default_limit: int = 100,
        internal_order_ids: bool = True,
        review_status_case: str = "lower",
        order_cascade: bool = False,
        state: StoreState | None = None,
    ) -> None:
        """``state`` serves an existing :class:`StoreState` (then the state options are unused).

        Where Ecwid's sources conflict the newest docs win, and the alternative is an option:
        ``default_limit`` (G3 100, G1 10), ``internal_order_ids`` (``GET /orders/{internalId}``
        works, as Ecwid's Java client expects), ``review_status_case`` (``lower`` as G3,
        ``upper`` as the Java client), ``order_cascade`` (an order created through the API also
        takes its items from stock and creates or updates its customer, as a storefront checkout
        does; undocumented for API orders, so off).
        """
        if not isinstance(order_cascade, bool):
            raise InvalidOption("order_cascade", order_cascade, "True or False")
        if review_status_case not in ("lower", "upper"):
            raise InvalidOption("review_status_case", review_status_case, "'lower' or 'upper'")
        if (
            isinstance(default_limit, bool)
            or not isinstance(default_limit, int)
            or not 1 <= default_limit <= 100
        ):
            raise InvalidOption("default_limit", default_limit, "an integer in 1-100")
        self.state = state or StoreState(
            seed=seed,
            store_id=store_id,
            locale=locale,
            clock=clock,
            scopes=scopes,
            search_lag=search_lag,
            order_prefix=order_prefix,
            order_suffix=order_suffix,
        )
        self.api = StoreAPI(
            self.state,
            options=RouteOptions(
                default_limit, internal_order_ids, review_status_case, order_cascade
            ),
            rate_limit=rate_limit,
            legacy_query_token=legacy_query_token,
            on_request=on_request,
        )
        self._server: LocalHTTPSServer | None = None

    # -- what tests read ----------------------------------------------------------------------

    @property
    def store_id(self) -> int:
        return self.state.store_id

    @property
    def token(self) -> str:
        """The installed app's access token (``secret_...``); keep it out of logs."""
        return self.state.token

    @property
    def public_token(self) -> str | None:
        """The installed app's ``public_...`` token: storefront data only (None without the
        ``public_storefront`` scope)."""
        return self.state.app.public_token

    @property
    def app(self) -> App:
        return self.state.app

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def calls(self) -> StoreCalls:
        return self.api.calls

    @property
    def changes(self) -> list[Change]:
        return self.state.changes

    @property
    def base_url(self) -> str:
        """``https://app.ecwid.com/api/v3/{storeId}``: what a receiver calls (in-process)."""
        return f"https://{API_HOST}/api/v3/{self.store_id}"

    def __getattr__(self, name: str) -> Records:
        # orders, products, customers, ... : the state's record families
        state: StoreState | None = self.__dict__.get("state")
        if state is not None and name in state.families:
            return state.families[name]
        raise AttributeError(name)

    @property
    def profile(self) -> dict[str, Any]:
        return self.state.profile

    @property
    def api_url(self) -> str:
        """The API's base URL over real HTTPS on 127.0.0.1 (starts the server on first use)."""
        return f"{self.serve_https().url}/api/v3/{self.store_id}"

    @property
    def cacert(self) -> str:
        """Path of the PEM file of the CA that signed the HTTPS server's certificate."""
        return str(self.serve_https().certificates.ca_pem_path)

    def __repr__(self) -> str:
        return f"<EcwidStore {self.state!r}>"

    # -- seeding and writes -------------------------------------------------------------------

    def seed(self, **counts: int) -> EcwidStore:
        """Add realistic records: ``seed(orders=30, products=100)``; see ``StoreState.seed``."""
        self.state.seed(**counts)
        return self

    def create(self, family: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.state.create(family, fields)

    def update(self, family: str, key: object, fields: dict[str, Any]) -> dict[str, Any]:
        return self.state.update(family, key, fields)

    def delete(self, family: str, key: object) -> dict[str, Any]:
        return self.state.delete(family, key)

    def add_listener(self, listener: Callable[[Change], None]) -> Callable[[Change], None]:
        """Call ``listener(change)`` after every write; see :class:`~ecwid_mock.Change`."""
        return self.state.add_listener(listener)

    def remove_listener(self, listener: Callable[[Change], None]) -> None:
        self.state.remove_listener(listener)

    def add_app(self, name: str, *, scopes: Iterable[str], events: Iterable[str] = ()) -> App:
        return self.state.add_app(name, scopes=scopes, events=events)

    def fail_next(
        self,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: int = 30,
        path: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Answer the next ``count`` calls with ``status`` (429 with ``Retry-After``, or 5xx);
        with ``seconds``, every call for the next ``seconds`` on the store's clock."""
        self.api.fail_next(status, count=count, retry_after=retry_after, path=path, seconds=seconds)

    # -- reaching it --------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport answering ``app.ecwid.com`` from this store, in-process and sync.

        ``httpx.Client(transport=store.transport())``; requests to other hosts fail loudly.
        """
        from ._store_transport import SyncASGITransport

        return SyncASGITransport(self.api, host=API_HOST)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """Like :meth:`transport`, for ``httpx.AsyncClient``."""
        from ._store_transport import AsyncStoreTransport

        return AsyncStoreTransport(self.api, host=API_HOST)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one httpx request: a handler for ``httpx.MockTransport`` or respx."""
        from ._store_transport import SyncASGITransport

        return SyncASGITransport(self.api, host=API_HOST).handle_request(request)

    def intercept(self) -> Any:
        """``with store.intercept():`` httpx clients' calls to app.ecwid.com reach the store."""
        from ._store_transport import intercept

        return intercept(self.api, host=API_HOST)

    def serve_https(self, *, port: int = 0) -> LocalHTTPSServer:
        """Start (once) a real HTTPS server for the API on 127.0.0.1; stop it with :meth:`close`."""
        if self._server is None:
            from .tls import LocalHTTPSServer

            self._server = LocalHTTPSServer(
                self.api, host="127.0.0.1", port=port, kind="asgi"
            ).start()
        return self._server

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server.certificates.cleanup()
            self._server = None

    def __enter__(self) -> EcwidStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
