"""Defect: redirects every delivery (301 to the same path with a trailing slash)."""

from __future__ import annotations

from ._base import Receiver, Scope


class Redirects(Receiver):
    def handle(self, scope: Scope, body: bytes, headers: dict[str, str]) -> int:
        return 301


app = Redirects()
observe = app.observe
