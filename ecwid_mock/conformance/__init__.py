"""Receiver conformance: one run tells whether a webhook receiver is ready for Ecwid traffic.

The suite sends what Ecwid sends (every subscribed event type, signed), what Ecwid may do
(duplicates, events out of order, new fields, new event types) and what an attacker may try
(forged, missing, replayed or tampered signatures), and judges each answer as Ecwid would::

    from ecwid_mock.conformance import ConformanceSuite

    with ConformanceSuite(app=my_asgi_app, client_secret="...", observe=count_effects) as suite:
        report = suite.run()
    print(report.format_table())
    assert report.ok, report.format_table()

Targets: an in-process ASGI or WSGI app (``app=``), a local HTTPS server (``url=`` with
``verify=server.client_ssl_context()``) or a live URL. Each check has a stable id (see
:data:`CHECKS`) and ends as pass, fail, warn or skip with its evidence. The same checks run
from ``ecwid-mock check`` and ``pytest --ecwid-conformance``; docs/conformance.md explains
each one and how to fix a failure. Given ``store=``, the mock store the receiver calls, the
REST checks (:data:`REST_CHECKS`) judge its fetches too: 404, 403, 429 and paging.
"""

from __future__ import annotations

from .suite import (
    CHECK_IDS,
    CHECKS,
    REST_CHECK_IDS,
    REST_CHECKS,
    CheckResult,
    ConformanceReport,
    ConformanceSuite,
    ConformanceWarning,
    Exchange,
    Verdict,
    run_conformance,
    select_event_types,
)

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "REST_CHECKS",
    "REST_CHECK_IDS",
    "CheckResult",
    "ConformanceReport",
    "ConformanceSuite",
    "ConformanceWarning",
    "Exchange",
    "Verdict",
    "run_conformance",
    "select_event_types",
]
