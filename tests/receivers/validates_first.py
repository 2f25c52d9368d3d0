"""Not a defect: validates every body against the tolerant schema before deduplicating.

A tampered replay that broke the schema would be refused here with 400 before the
deduplication is reached, and a replay check would pass for the wrong reason.
"""

from __future__ import annotations

from typing import Any

import ecwid_mock

from ._base import Receiver, Refused


class ValidatesFirst(Receiver):
    def process(self, payload: dict[str, Any]) -> int:
        try:
            ecwid_mock.validate_event(payload)
        except ecwid_mock.InvalidEvent:
            raise Refused(400) from None
        return super().process(payload)


app = ValidatesFirst()
observe = app.observe
