"""The store's REST API as a Starlette app: routes from ``schemas/rest/api.json``, answers from
:meth:`StoreAPI.respond`.

Kept lean because every in-process call pays for it (benchmarks/bench_store.py, S-GET1):
each endpoint is a plain ASGI app (no ``Request`` object; the parts ``respond`` needs are read
from the scope as Starlette's ``Request`` reads them), the router tries first the few routes
whose first segment after ``/api/v3/{storeId}`` is the request's, and the JSON encoder is
made once, with the options of Starlette's ``JSONResponse`` (the same bytes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .._schemas.rest import api_facts

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from .store_api import StoreAPI

__all__ = ["build_app"]

_JSON = "application/json; charset=utf-8"  # Ecwid's content type
_PREFIX = "/api/v3/{storeId}"
_SEGMENT = len(_PREFIX.split("/"))  # where the family's segment sits in a split path

# Starlette's JSONResponse.render, made once instead of on every answer.
_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def render_json(payload: Any) -> bytes:
    """The bytes Starlette's ``JSONResponse(payload)`` sends."""
    return _encoder.encode(payload).encode("utf-8")


def _route_order(path: str) -> tuple[int, ...]:
    return tuple(1 if part.startswith("{") else 0 for part in path.strip("/").split("/"))


def _bucket(path: str) -> tuple[str, int]:
    """The routes a path can match: same first segment after the prefix, same depth."""
    parts = path.split("/")
    return (parts[_SEGMENT] if len(parts) > _SEGMENT else "", len(parts))


async def _read_body(receive: Any) -> bytes:
    """The request body, read as Starlette's ``Request.body()`` reads it."""
    from starlette.requests import ClientDisconnect

    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)


class _Endpoint:
    """One REST endpoint as an ASGI app: the call's parts to ``api.respond``, its answer back."""

    def __init__(self, api: StoreAPI, endpoint_id: str) -> None:
        self.api = api
        self.endpoint_id = endpoint_id

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.responses import Response

        body = await _read_body(receive)
        store_id = scope["path_params"].get("storeId", "")
        # Request.url.path: the scope's path with the characters a URL cannot hold escaped
        full_path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
        path = full_path[len(store_id) + 8 :] or "/"  # after "/api/v3/{storeId}"
        query = scope.get("query_string", b"").decode()
        status, extra, payload = self.api.respond(
            self.endpoint_id,
            scope["method"],
            store_id,
            path,
            dict(parse_qsl(query, keep_blank_values=True)) if query else {},
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body,
        )
        if isinstance(payload, str):
            response = Response(payload, status_code=status, headers=extra, media_type="text/html")
        else:
            response = Response(
                render_json(payload), status_code=status, headers=extra, media_type=_JSON
            )
        await response(scope, receive, send)


def _indexed_router(routes: Sequence[Route]) -> Any:
    from starlette.routing import Match, Router

    class IndexedRouter(Router):
        """Starlette's router, trying first the routes of the request's bucket, in order.

        A route can match only paths of its bucket, so the first full match there is the one
        the whole list would find; anything else (405, slash redirects, 404) goes the usual way.
        """

        def __init__(self, routes: Sequence[Route]) -> None:
            super().__init__(list(routes))
            self.buckets: dict[tuple[str, int], list[Route]] = {}
            for route in routes:
                self.buckets.setdefault(_bucket(route.path), []).append(route)

        async def app(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                for route in self.buckets.get(_bucket(scope["path"]), ()):
                    match, child_scope = route.matches(scope)
                    if match is Match.FULL:
                        scope.setdefault("router", self)
                        scope["route"] = route
                        scope.update(child_scope)
                        await route.handle(scope, receive, send)
                        return
            await super().app(scope, receive, send)

    return IndexedRouter(routes)


def build_app(api: StoreAPI) -> Starlette:
    """The ASGI app of ``api``: every endpoint of the facts, Ecwid's 404/405 answers."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    endpoints = sorted(api_facts()["endpoints"], key=lambda ep: _route_order(ep["path"]))
    routes = [
        Route(_PREFIX + ep["path"], _Endpoint(api, ep["id"]), methods=[ep["method"]])
        for ep in endpoints
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        code = "METHOD_NOT_ALLOWED" if status == 405 else "WRONG_URL"
        return JSONResponse(
            {
                "errorMessage": f"{request.method} {request.url.path} is not an API endpoint",
                "errorCode": code,
            },
            status_code=status,
            media_type=_JSON,
        )

    app = Starlette(exception_handlers={404: not_found, 405: not_found})
    app.router = _indexed_router(routes)  # before the first call builds the middleware stack
    return app
