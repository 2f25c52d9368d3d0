"""The ``--ecwid-conformance`` options, apart from the checks' pytest items.

Registered at every pytest start-up, so this module is kept to the options alone: importing
the items' module would cost start-up time for runs that never use them.
"""

from __future__ import annotations

import pytest

__all__ = ["HELP", "add_options"]

HELP = {
    "events": "event types the app subscribes to, comma-separated names or patterns "
    "such as 'order.*' (default: all 42 documented ones)",
    "timeout": "seconds to wait for each answer (default 10, Ecwid's limit)",
    "slow_after": "p95 response time, in seconds, above which response-time warns (default 3)",
    "settle": "seconds to wait for side effects that the receiver applies after answering "
    "(default 0.5)",
}


def add_options(parser: pytest.Parser) -> None:
    """Register ``--ecwid-conformance`` and its settings (command line and ini)."""
    group = parser.getgroup("ecwid", "Ecwid webhook testing (ecwid-mock)")
    group.addoption(
        "--ecwid-conformance",
        action="store_true",
        dest="ecwid_conformance",
        default=False,
        help="add ecwid-mock's receiver conformance checks as test items, one per check, "
        "run against the configured receiver (ecwid_app / ecwid_url)",
    )
    for name, text in HELP.items():
        flag = "--ecwid-conformance-" + name.replace("_", "-")
        group.addoption(flag, dest=f"ecwid_conformance_{name}", default=None, help=text)
        parser.addini(f"ecwid_conformance_{name}", text, default=None)
