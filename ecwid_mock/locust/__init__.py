"""Load a webhook receiver from many machines with Locust, as Ecwid would.

Importing this module imports Locust (and its gevent monkey-patching), so only a locustfile
or the ``locust`` command should import it; ``ecwid_mock``, its CLI and the pytest plugin never
do. Install with ``pip install 'ecwid-mock[locust]'``; the bundled locustfile's path is
printed by ``python -m ecwid_mock.locust --path``, and ``ecwid-mock load`` runs it.

    from ecwid_mock.locust import EcwidProfile, EcwidWebhookUser  # a whole locustfile
"""

from __future__ import annotations

import locust  # first: Locust monkey-patches the standard library on import

from ._options import CACERT_ENV, PROFILES, SECRET_ENV, LoadOptions
from ._process import LoadProcess, load_process
from ._shapes import BurstProfile, EcwidProfile, RetryStormProfile, SteadyProfile
from ._user import FIRST_ATTEMPT, RETRY, EcwidWebhookUser, NotDelivered

__all__ = [
    "CACERT_ENV",
    "FIRST_ATTEMPT",
    "PROFILES",
    "RETRY",
    "SECRET_ENV",
    "BurstProfile",
    "EcwidProfile",
    "EcwidWebhookUser",
    "LoadOptions",
    "LoadProcess",
    "NotDelivered",
    "RetryStormProfile",
    "SteadyProfile",
    "load_process",
    "locustfile_path",
]

del locust


def locustfile_path() -> str:
    """The bundled locustfile: ``locust -f "$(python -m ecwid_mock.locust --path)"``."""
    from pathlib import Path

    return str(Path(__file__).with_name("locustfile.py"))
