"""Defect: compares the header with a hex digest (Ecwid sends Base64)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ._base import CLIENT_SECRET, Receiver


class HexDigest(Receiver):
    def expected_signature(self, body: bytes, payload: dict[str, Any]) -> str:
        message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
        return hmac.new(CLIENT_SECRET.encode(), message, hashlib.sha256).hexdigest()


app = HexDigest()
observe = app.observe
