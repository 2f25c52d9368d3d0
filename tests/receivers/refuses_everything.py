"""Defect: answers 401 to everything, Ecwid's valid signature included (a wrong secret)."""

from __future__ import annotations

from typing import Any

from ._base import Receiver, Refused


class RefusesEverything(Receiver):
    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        raise Refused(401)


app = RefusesEverything()
observe = app.observe
