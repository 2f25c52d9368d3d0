"""A receiver that does what real ones do: verify, answer, then fetch the order it names.

Ecwid's webhooks carry ids, not data: on ``order.created`` this app calls
``GET /api/v3/{storeId}/orders/{orderId}`` with the app's token and keeps the order's total.
It copes with what Ecwid's REST API answers: a 404 for an order deleted meanwhile (nothing
to do), a 403 for a scope the token lacks (noted for a person; retrying will not help), and
a 429 or a 5xx: it answers 503, so that Ecwid redelivers the event minutes later, long after
the ``Retry-After``. Starlette only; the REST client is httpx.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Shop:
    """What the app learned: order totals by public id, and what it could not fetch."""

    totals: dict[str, float] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


@dataclass
class Api:
    """Where the store's REST API is: its base URL, the app's token, how to reach it."""

    base_url: str
    token: str
    transport: httpx.AsyncBaseTransport | None = None
    verify: Any = True


def signature_ok(body: bytes, signature: str, client_secret: str) -> bool:
    payload = json.loads(body)
    message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode())


async def fetch_order(api: Api, order_id: str) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=api.base_url, transport=api.transport, verify=api.verify, timeout=5
    ) as client:
        return await client.get(
            f"/orders/{quote(order_id, safe='')}", headers={"Authorization": f"Bearer {api.token}"}
        )


def create_app(*, client_secret: str, api: Api | None = None) -> Starlette:
    shop = Shop()

    async def webhook(request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get("x-ecwid-webhook-signature", "")
        try:
            if not signature_ok(body, signature, client_secret):
                return Response(status_code=401)
            event = json.loads(body)
        except (ValueError, KeyError):
            return Response(status_code=400)
        if event["eventId"] in shop.seen:
            return Response(status_code=200)  # a duplicate: already handled
        api_now = request.app.state.api
        if event["eventType"] == "order.created" and api_now is not None:
            order_id = event["data"]["orderId"]
            answer = await fetch_order(api_now, order_id)
            if answer.status_code == 404:
                shop.gone.append(order_id)  # deleted meanwhile: nothing to do
            elif answer.status_code == 403:
                shop.forbidden.append(order_id)  # a scope is missing: a person must fix it
            elif answer.status_code == 200:
                shop.totals[order_id] = answer.json()["total"]
            else:  # 429 or 5xx: Ecwid redelivers in minutes, well after Retry-After
                return Response(status_code=503)
        shop.seen.add(event["eventId"])  # done: a redelivery of it changes nothing
        return Response(status_code=200)

    app = Starlette(routes=[Route("/webhooks/ecwid", webhook, methods=["POST"])])
    app.state.shop = shop
    app.state.api = api
    return app
