"""The ``--ecwid-*`` options of a Locust run, and their values checked once per process."""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import InvalidOption
from .._events.signing import Secret
from .._load.ledger import Thresholds
from .._load.schedule import DEFAULT_TIME_SCALE, CompressedSchedule
from .._schemas.contract import contract

__all__ = ["CACERT_ENV", "PROFILES", "SECRET_ENV", "LoadOptions", "add_arguments"]

SECRET_ENV = "ECWID_CLIENT_SECRET"
CACERT_ENV = "ECWID_CACERT"
PROFILES = ("steady", "burst", "storm")
DEFAULT_MIN_DELIVERED = 0.99


def add_arguments(parser: Any) -> None:
    """Register the options on Locust's parser (``init_command_line_parser``)."""
    facts = contract()
    # An attempt in flight at the end of the run finishes (it takes at most Ecwid's 3 s + 10 s),
    # so what the receiver got and the ledger's delivered count agree exactly. Locust's own
    # default (0) cuts those attempts off mid-request; --stop-timeout still overrides this.
    longest_attempt = math.ceil(facts.connect_timeout + facts.response_timeout)
    parser.set_defaults(stop_timeout=f"{longest_attempt}s")
    group = parser.add_argument_group("ecwid-mock", "Ecwid webhook load (ecwid_mock.locust)")
    add = group.add_argument
    add(
        "--ecwid-cacert",
        metavar="FILE",
        env_var=CACERT_ENV,
        default=None,
        help=f"PEM file of CAs to trust (or ${CACERT_ENV}); default: the system's",
    )
    add(
        "--ecwid-seed",
        type=int,
        metavar="S",
        default=None,
        help="seed of the events (default: drawn on the master and printed)",
    )
    add(
        "--ecwid-types",
        metavar="T,T",
        default="",
        help="comma-separated event types (default: a shop-like mix of all)",
    )
    add(
        "--ecwid-retry-policy",
        metavar="NAME",
        default=facts.default_retry_policy,
        help=f"current, legacy or none (default {facts.default_retry_policy})",
    )
    add(
        "--ecwid-time-scale",
        type=float,
        metavar="X",
        default=DEFAULT_TIME_SCALE,
        help="Ecwid seconds per real second (default 3600: 24 h of retries in 24 s)",
    )
    add(
        "--ecwid-user-rate",
        type=float,
        metavar="R",
        default=0.0,
        help="new events per second per user; 0: as fast as the receiver answers",
    )
    add(
        "--ecwid-profile",
        choices=PROFILES,
        default="steady",
        help="steady, burst or storm (the retry storm after an outage)",
    )
    add(
        "--ecwid-burst-factor",
        type=float,
        metavar="K",
        default=10.0,
        help="burst: users during the burst, as a multiple of -u (default 10)",
    )
    add(
        "--ecwid-burst-at",
        type=float,
        metavar="S",
        default=5.0,
        help="burst: seconds before the burst begins (default 5)",
    )
    add(
        "--ecwid-burst-seconds",
        type=float,
        metavar="S",
        default=5.0,
        help="burst: how long the burst lasts (default 5)",
    )
    add(
        "--ecwid-outage-hours",
        type=float,
        metavar="D",
        default=6.0,
        help="storm: hours the receiver was down (default 6)",
    )
    add(
        "--ecwid-min-delivered",
        type=float,
        metavar="RATIO",
        default=DEFAULT_MIN_DELIVERED,
        help=f"fail the run below this delivered ratio (default {DEFAULT_MIN_DELIVERED})",
    )
    add(
        "--ecwid-max-p95",
        type=float,
        metavar="S",
        default=facts.response_timeout,
        help=f"fail the run when p95 exceeds S seconds (default {facts.response_timeout:g})",
    )


@dataclass(frozen=True)
class LoadOptions:
    """The checked options; ``secret`` is ``None`` on a master, which sends nothing."""

    schedule: CompressedSchedule
    thresholds: Thresholds
    seed: int
    types: tuple[str, ...] | None
    cacert: str | None
    user_rate: float
    profile: str
    burst_factor: float
    burst_at: float
    burst_seconds: float
    outage_hours: float
    secret: Secret | None

    @classmethod
    def from_parsed(cls, parsed: Any, *, sends: bool, worker: bool = False) -> LoadOptions:
        """Check Locust's parsed options; raises :class:`InvalidOption` naming the flag.

        ``sends``: this process sends (it needs the client secret); ``worker``: its options
        came from a master on another machine.
        """
        from .._schemas.catalog import event_info

        schedule = CompressedSchedule.named(
            parsed.ecwid_retry_policy,
            _number(parsed, "time_scale", above=0.0),
            source="--ecwid-retry-policy",
        )
        thresholds = Thresholds(
            _number(parsed, "min_delivered", low=0.0, high=1.0),
            _number(parsed, "max_p95", above=0.0),
        )
        types = tuple(t.strip() for t in parsed.ecwid_types.split(",") if t.strip()) or None
        for name in types or ():
            event_info(name)  # an unknown type fails before any traffic
        # A path of this machine: a worker's own $ECWID_CACERT wins over the master's value
        cacert = (os.environ.get(CACERT_ENV) if worker else None) or parsed.ecwid_cacert or None
        if cacert is not None and not Path(cacert).is_file():
            raise InvalidOption(
                "CA file", cacert, "a readable PEM file", source=f"--ecwid-cacert or ${CACERT_ENV}"
            )
        seed = parsed.ecwid_seed
        if seed is None:
            seed = parsed.ecwid_seed = random.SystemRandom().randrange(2**32)
        elif seed < 0:
            raise InvalidOption("seed", seed, "a non-negative integer", source="--ecwid-seed")
        user_rate = _number(parsed, "user_rate", low=0.0)
        if parsed.ecwid_profile == "storm" and user_rate <= 0:
            raise InvalidOption(
                "ecwid-user-rate",
                user_rate,
                "above 0 for the storm profile (the backlog is that rate times the outage)",
                source="--ecwid-user-rate",
            )
        secret = None
        if sends:
            value = os.environ.get(SECRET_ENV)
            if not value:
                raise InvalidOption(
                    "client secret",
                    "" if value is not None else None,
                    "the app's client secret (set it on every load machine)",
                    source=f"${SECRET_ENV}",
                )
            secret = Secret(value)
        return cls(
            schedule=schedule,
            thresholds=thresholds,
            seed=seed,
            types=types,
            cacert=cacert,
            user_rate=user_rate,
            profile=parsed.ecwid_profile,
            burst_factor=_number(parsed, "burst_factor", low=1.0),
            burst_at=_number(parsed, "burst_at", low=0.0),
            burst_seconds=_number(parsed, "burst_seconds", above=0.0),
            outage_hours=_number(parsed, "outage_hours", above=0.0),
            secret=secret,
        )


def _number(
    parsed: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
) -> float:
    value = float(getattr(parsed, f"ecwid_{name}"))
    flag = f"--ecwid-{name.replace('_', '-')}"
    ok = value == value and value != float("inf")  # not NaN, finite
    if low is not None:
        ok = ok and value >= low
    if high is not None:
        ok = ok and value <= high
    if above is not None:
        ok = ok and value > above
    if not ok:
        rule = " and ".join(
            text
            for text, bound in (
                (f">= {low:g}", low),
                (f"<= {high:g}", high),
                (f"> {above:g}", above),
            )
            if bound is not None
        )
        raise InvalidOption(flag.removeprefix("--"), value, f"a number {rule}", source=flag)
    return value
