"""Not a defect: answers 200 to every parsed event, then verifies and drops forgeries.

This is the pattern of Ecwid's own PHP sample. Only an observation hook can show that the
forgeries had no effect; the status code alone cannot.
"""

from __future__ import annotations

from ._base import Receiver, Refused, Scope


class AnswersFirst(Receiver):
    def handle(self, scope: Scope, body: bytes, headers: dict[str, str]) -> int:
        try:
            super().handle(scope, body, headers)
        except Refused:
            if not body.lstrip().startswith(b"{"):
                raise  # not JSON at all: refused as before
        return 200


app = AnswersFirst()
observe = app.observe
