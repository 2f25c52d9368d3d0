"""The store's ASGI app: every route found as a plain scan of the routes finds it, Starlette's
JSON bytes, and bodies that come in chunks."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse
from starlette.routing import Match

from ecwid_mock import EcwidStore
from ecwid_mock._schemas.rest import api_facts
from ecwid_mock._servers._store_asgi import render_json

ENDPOINTS = api_facts()["endpoints"]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X1", path)


@pytest.mark.parametrize("ep", ENDPOINTS, ids=[ep["id"] for ep in ENDPOINTS])
def test_each_endpoint_is_routed_as_a_scan_of_all_routes_would(
    store: EcwidStore, ep: dict[str, Any]
) -> None:
    path = f"/api/v3/{store.store_id}{_concrete(ep['path'])}"
    scope = {"type": "http", "method": ep["method"], "path": path, "root_path": ""}
    scanned = next(r for r in store.api.app.routes if r.matches(scope)[0] is Match.FULL)
    auth = {"Authorization": f"Bearer {store.token}"}
    with httpx.Client(transport=store.transport(), headers=auth) as http:
        body = {"name": "Chair"} if ep["id"] == "products.create" else {}
        http.request(ep["method"], f"https://app.ecwid.com{path}", json=body)
    assert store.calls.last.endpoint == scanned.endpoint.endpoint_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("PATCH", "/orders", 405), ("GET", "/orders/A/B/C/D", 404)],
)
def test_paths_of_no_route_still_get_ecwid_errors(
    store: EcwidStore, method: str, path: str, status: int
) -> None:
    auth = {"Authorization": f"Bearer {store.token}"}
    with httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth) as http:
        answer = http.request(method, store.base_url + path)
    assert answer.status_code == status
    assert answer.json()["errorCode"] in ("WRONG_URL", "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    "payload",
    [{"name": "Stuhl – grün", "price": 1.1, "n": 10**20, "ok": True}, [1, None, "ü"], {}],
)
def test_answers_are_the_bytes_of_starlettes_json_response(payload: Any) -> None:
    assert render_json(payload) == JSONResponse(payload).body


def test_a_request_body_in_chunks_is_read_whole(store: EcwidStore) -> None:
    body = json.dumps({"name": "Chunked chair", "price": 12}).encode()
    chunks = [body[:7], body[7:20], body[20:]]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/api/v3/{store.store_id}/products",
        "raw_path": b"",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {store.token}".encode()),
            (b"content-type", b"application/json"),
        ],
    }
    asyncio.run(store.api(scope, receive, send))
    assert sent[0]["status"] == 200
    created = store.products[json.loads(sent[1]["body"])["id"]]
    assert created["name"] == "Chunked chair"
