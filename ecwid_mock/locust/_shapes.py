"""Load profiles as Locust ``LoadTestShape``s: steady, burst, and the retry storm after an outage.

Each reads ``-u`` (users), ``-r`` (spawn rate) and ``-t`` (run time) and the ``--ecwid-*``
options; without ``-t`` steady and burst run until stopped, the storm until the backlog's last
retry is due. Users pace new events with ``--ecwid-user-rate``; retries come on top.
"""

from __future__ import annotations

import math
from typing import Any

from locust import LoadTestShape
from locust.runners import MasterRunner

from ._options import LoadOptions
from ._process import BACKLOG_MESSAGE, load_process

__all__ = ["BurstProfile", "EcwidProfile", "RetryStormProfile", "SteadyProfile"]

Tick = tuple[int, float] | None


class _Profile(LoadTestShape):
    abstract = True
    use_common_options = True

    def tick(self) -> Tick:  # pragma: no cover - every profile defines its own
        raise NotImplementedError

    def _setting(self) -> tuple[int, float, float | None, LoadOptions]:
        runner = self.runner
        assert runner is not None, "a shape ticks only once Locust gave it a runner"
        parsed: Any = runner.environment.parsed_options
        users = int(parsed.num_users or 1)
        rate = float(parsed.spawn_rate or users)
        run_time = float(parsed.run_time) if parsed.run_time else None
        return users, rate, run_time, load_process(runner.environment).options


class SteadyProfile(_Profile):
    """``-u`` users for ``-t`` seconds."""

    def tick(self) -> Tick:
        users, rate, run_time, _ = self._setting()
        if run_time is not None and self.get_run_time() >= run_time:
            return None
        return users, rate


class BurstProfile(_Profile):
    """``-u`` users, and ``--ecwid-burst-factor`` times as many from ``--ecwid-burst-at``
    for ``--ecwid-burst-seconds`` (a sale opening, a bulk import)."""

    def tick(self) -> Tick:
        users, rate, run_time, options = self._setting()
        now = self.get_run_time()
        if run_time is not None and now >= run_time:
            return None
        if options.burst_at <= now < options.burst_at + options.burst_seconds:
            peak = math.ceil(users * options.burst_factor)
            return peak, max(rate, float(peak))  # the burst starts at once
        return users, rate


class RetryStormProfile(_Profile):
    """A receiver back after a ``--ecwid-outage-hours`` outage: ``-u`` users keep sending new
    events at ``--ecwid-user-rate`` each while the backlog Ecwid held (that rate over the
    outage, each event's next attempt taken from the real schedule) falls due on top.

    On its first tick the backlog is split between the workers (or kept, when local); a
    shape seeds one backlog, so a second run of the web UI has none.
    """

    def __init__(self) -> None:
        super().__init__()
        self._seeded = False  # once per shape: the master resets its time after the first tick

    def tick(self) -> Tick:
        users, rate, run_time, options = self._setting()
        if not self._seeded:
            self._seed(users * options.user_rate, options)
            self._seeded = True
        limit = run_time if run_time is not None else options.schedule.span + 1.0
        if self.get_run_time() >= limit:
            return None
        return users, rate

    def _seed(self, normal_rate: float, options: LoadOptions) -> None:
        runner = self.runner
        assert runner is not None
        parsed: Any = runner.environment.parsed_options
        data = {
            "policy": parsed.ecwid_retry_policy,
            "time_scale": options.schedule.time_scale,
            "outage_hours": options.outage_hours,
            "rate": normal_rate,
        }
        if isinstance(runner, MasterRunner):
            workers = sorted(runner.clients.all, key=lambda c: c.id)
            for share, client in enumerate(workers):
                share_data = {**data, "share": share, "shares": len(workers)}
                runner.send_message(BACKLOG_MESSAGE, share_data, client_id=client.id)
        else:
            runner.send_message(BACKLOG_MESSAGE, {**data, "share": 0, "shares": 1})


class EcwidProfile(_Profile):
    """The profile named by ``--ecwid-profile`` (steady, burst or storm): the bundled
    locustfile's one shape."""

    def __init__(self) -> None:
        super().__init__()
        self._chosen: _Profile | None = None

    def reset_time(self) -> None:
        super().reset_time()
        if self._chosen is not None:
            self._chosen.reset_time()

    def tick(self) -> Tick:
        if self._chosen is None:
            *_, options = self._setting()
            kind = {"steady": SteadyProfile, "burst": BurstProfile, "storm": RetryStormProfile}
            self._chosen = kind[options.profile]()
            self._chosen.runner = self.runner
        tick: Tick = self._chosen.tick()
        return tick
