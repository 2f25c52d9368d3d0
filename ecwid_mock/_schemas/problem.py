"""One schema violation, as :class:`ecwid_mock.InvalidEvent` lists them."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Problem"]


class Problem(NamedTuple):
    """One schema violation: where in the payload (a dotted JSON path) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"
