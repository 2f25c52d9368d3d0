"""Defect: verifies an HMAC over the raw body, the scheme of a real public Ecwid adapter.

Ecwid signs "{eventCreated}.{eventId}", so this receiver refuses every real delivery and
accepts a body HMAC that Ecwid never sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from ._base import CLIENT_SECRET, Receiver


class BodyHmac(Receiver):
    def expected_signature(self, body: bytes, payload: dict[str, Any]) -> str:
        digest = hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()


app = BodyHmac()
observe = app.observe
