"""Defect: answers slowly (``delay`` seconds; tests lower the warning threshold instead of
waiting seconds)."""

from ._base import Receiver


class Slow(Receiver):
    delay = 0.01


app = Slow()
observe = app.observe
