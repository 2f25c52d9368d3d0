"""httpx transports that answer ``app.ecwid.com`` from the store's ASGI app, with no network.

The store's endpoints never wait on I/O, so the sync transport runs the ASGI app's coroutine
to completion directly (no event loop, no thread); if it ever suspends, it falls back to
``asyncio.run`` on a fresh loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

__all__ = ["AsyncStoreTransport", "SyncASGITransport"]


def _scope(request: httpx.Request) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": request.url.scheme,
        "path": request.url.path,
        "raw_path": request.url.raw_path.split(b"?")[0],
        "query_string": request.url.query,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 123),
        "server": (request.url.host, request.url.port or 443),
    }


async def _run(app: Any, request: httpx.Request, body: bytes) -> httpx.Response:
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(_scope(request), receive, send)
    return httpx.Response(status, headers=headers, content=b"".join(chunks), request=request)


def _check_host(request: httpx.Request, host: str) -> None:
    if request.url.host != host:
        raise httpx.ConnectError(
            f"ecwid-mock's store transport answers only https://{host}, not {request.url.host!r}",
            request=request,
        )


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: Any, *, host: str) -> None:
        self.app = app
        self.host = host

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _check_host(request, self.host)
        body = request.read()
        coroutine = _run(self.app, request, body)
        try:
            coroutine.send(None)
        except StopIteration as done:
            response: httpx.Response = done.value
            return response
        coroutine.close()  # it suspended: run it on a loop of its own
        return asyncio.run(_run(self.app, request, body))


class AsyncStoreTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: Any, *, host: str) -> None:
        self.app = app
        self.host = host

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _check_host(request, self.host)
        return await _run(self.app, request, await request.aread())


class intercept:  # a context manager, named like unittest.mock.patch
    """Divert calls to ``host`` into the store, for httpx and (when installed) requests.

    For receivers that build their own ``httpx.Client()`` or ``requests.Session()``: inside
    ``with store.intercept():`` every request to ``https://app.ecwid.com`` is answered by the
    store, in-process; requests to other hosts go out as usual.
    """

    def __init__(self, app: Any, *, host: str) -> None:
        self._sync = SyncASGITransport(app, host=host)
        self._async = AsyncStoreTransport(app, host=host)
        self._host = host
        self._saved: tuple[Any, Any] | None = None
        self._requests_saved: Any = None

    def __enter__(self) -> intercept:
        sync_original = httpx.HTTPTransport.handle_request
        async_original = httpx.AsyncHTTPTransport.handle_async_request
        store_sync, store_async, host = self._sync, self._async, self._host

        def handle_request(
            transport: httpx.HTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            if request.url.host == host:
                return store_sync.handle_request(request)
            return sync_original(transport, request)

        async def handle_async_request(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            if request.url.host == host:
                return await store_async.handle_async_request(request)
            return await async_original(transport, request)

        self._saved = (sync_original, async_original)
        httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign,assignment]
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign,assignment]
        self._requests_saved = _divert_requests(store_sync, host)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._saved is not None:
            sync_original, async_original = self._saved
            httpx.HTTPTransport.handle_request = sync_original  # type: ignore[method-assign]
            httpx.AsyncHTTPTransport.handle_async_request = async_original  # type: ignore[method-assign]
            self._saved = None
        if self._requests_saved is not None:
            import requests.adapters

            adapter_class: Any = requests.adapters.HTTPAdapter
            adapter_class.send = self._requests_saved
            self._requests_saved = None


def _divert_requests(store: SyncASGITransport, host: str) -> Any:
    """Route ``requests``' calls to ``host`` into the store; the original ``send``, or None."""
    try:
        import requests.adapters
        import requests.models
        import requests.structures
    except ImportError:  # requests is optional: nothing to divert
        return None
    adapter_class: Any = requests.adapters.HTTPAdapter
    original = adapter_class.send

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        url = httpx.URL(request.url)
        if url.host != host:
            return original(adapter, request, *args, **kwargs)
        body = request.body or b""
        answer = store.handle_request(
            httpx.Request(
                request.method,
                url,
                headers=list(request.headers.items()),
                content=body.encode() if isinstance(body, str) else body,
            )
        )
        answer.read()
        response = requests.models.Response()
        response.status_code = answer.status_code
        response.reason = answer.reason_phrase
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers.items())
        response._content = answer.content
        response.url = request.url
        response.request = request
        response.encoding = answer.encoding
        return response

    adapter_class.send = send
    return original
