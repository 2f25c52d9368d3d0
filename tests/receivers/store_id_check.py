"""Not a defect: accepts events of its own store only (403 "store ID mismatch" otherwise).

The suite passes only when it is told the store id (store_id=, --store-id, ecwid_store_id).
"""

from __future__ import annotations

from typing import Any

from ._base import Receiver, Refused

STORE_ID = 61882411


class StoreIdCheck(Receiver):
    def process(self, payload: dict[str, Any]) -> int:
        if payload.get("storeId") != STORE_ID:
            raise Refused(403, "store ID mismatch")
        return super().process(payload)


app = StoreIdCheck()
observe = app.observe
