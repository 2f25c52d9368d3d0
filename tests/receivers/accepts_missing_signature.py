"""Defect: checks a signature when there is one, and lets a delivery without one through."""

from __future__ import annotations

from typing import Any

from ._base import Receiver


class AcceptsMissingSignature(Receiver):
    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        if signature is not None:
            super().authenticate(body, payload, signature)


app = AcceptsMissingSignature()
observe = app.observe
