"""Defect: answers 203 Non-Authoritative Information, which Ecwid counts as a failure."""

from ._base import Receiver


class Answers203(Receiver):
    success_status = 203


app = Answers203()
observe = app.observe
