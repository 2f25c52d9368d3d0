"""Defect: parses the body without a try block, so a body that is not JSON is a 500."""

from __future__ import annotations

import json
from typing import Any

from ._base import Receiver


class MalformedCrash(Receiver):
    def parse(self, body: bytes) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(body)
        return payload


app = MalformedCrash()
observe = app.observe
