"""Ecwid's delivery contract, read once from ``schemas/delivery-contract.json``.

Every number of the contract (accepted codes, 3 s / 10 s, ports, retry schedules, the
two-week block, the mock's default path) lives in that file; Python reads it from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .files import load as _load

__all__ = ["Contract", "contract"]


@dataclass(frozen=True)
class Contract:
    """The delivery facts as Python values (see ``schemas/delivery-contract.json``)."""

    accepted_statuses: frozenset[int]
    connect_timeout: float
    response_timeout: float
    exact_ports: tuple[int, ...]
    port_range: tuple[int, int]
    retry_offsets: dict[str, tuple[float, ...]]
    default_retry_policy: str
    block_after: float
    default_path: str
    event_type_parameter: str
    signature_header: str

    def port_allowed(self, port: int) -> bool:
        low, high = self.port_range
        return port in self.exact_ports or low <= port <= high

    @property
    def port_rule(self) -> str:
        """The port rule in words, e.g. ``80, 443 or 1024-65535``."""
        low, high = self.port_range
        exact = ", ".join(str(p) for p in self.exact_ports)
        return f"{exact} or {low}-{high}"

    @property
    def accepted_text(self) -> str:
        """The accepted codes in words, e.g. ``200, 201, 202, 204, 209``."""
        return ", ".join(str(code) for code in sorted(self.accepted_statuses))


def _offsets(policy: dict[str, Any]) -> tuple[float, ...]:
    if "offsetsSeconds" in policy:
        return tuple(float(s) for s in policy["offsetsSeconds"])
    every, until = float(policy["everySeconds"]), float(policy["untilSeconds"])
    return tuple(every * n for n in range(1, int(until // every) + 1))


@functools.cache
def contract() -> Contract:
    """The contract (parsed on first use, then cached)."""
    data = _load("delivery-contract.json")
    policies = data["retryPolicies"]
    return Contract(
        accepted_statuses=frozenset(data["acceptedStatuses"]["codes"]),
        connect_timeout=float(data["timeouts"]["connectSeconds"]),
        response_timeout=float(data["timeouts"]["responseSeconds"]),
        exact_ports=tuple(data["url"]["ports"]["exact"]),
        port_range=(int(data["url"]["ports"]["range"][0]), int(data["url"]["ports"]["range"][1])),
        retry_offsets={
            name: _offsets(value) for name, value in policies.items() if isinstance(value, dict)
        },
        default_retry_policy=policies["default"],
        block_after=float(data["block"]["afterSeconds"]),
        default_path=data["mock"]["defaultPath"],
        event_type_parameter=data["request"]["eventTypeQueryParameter"],
        signature_header=data["request"]["signatureHeader"],
    )
