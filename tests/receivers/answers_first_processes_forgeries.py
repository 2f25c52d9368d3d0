"""Defect: answers 200 first, like Ecwid's PHP sample, but then processes forgeries too."""

from __future__ import annotations

from typing import Any

from .answers_first import AnswersFirst


class AnswersFirstProcessesForgeries(AnswersFirst):
    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        pass


app = AnswersFirstProcessesForgeries()
observe = app.observe
