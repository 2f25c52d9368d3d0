"""Not an app: a factory that makes the correct receiver.

``--app tests.receivers.factory:create_app`` is a mistake the suite must name;
``create_app()`` is the app.
"""

from __future__ import annotations

from ._base import Receiver


def create_app() -> Receiver:
    return Receiver()
