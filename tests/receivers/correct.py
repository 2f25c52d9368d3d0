"""The correct receiver: passes every conformance check."""

from ._base import Receiver

app = Receiver()
observe = app.observe
