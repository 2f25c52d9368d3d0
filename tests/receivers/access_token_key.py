"""Defect: keys the HMAC with the store's REST access token instead of the client secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from ._base import ACCESS_TOKEN, Receiver


class AccessTokenKey(Receiver):
    def expected_signature(self, body: bytes, payload: dict[str, Any]) -> str:
        message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
        digest = hmac.new(ACCESS_TOKEN.encode(), message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()


app = AccessTokenKey()
observe = app.observe
