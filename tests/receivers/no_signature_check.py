"""Defect: never checks the signature."""

from __future__ import annotations

from typing import Any

from ._base import Receiver


class NoSignatureCheck(Receiver):
    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        pass


app = NoSignatureCheck()
observe = app.observe
