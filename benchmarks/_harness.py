"""The one way every benchmark times, compares and judges (used by every bench_*.py).

A row compares a *figure* with its in-run *anchor*, the physical limit of the same work
(``wrk``, a bare validator loop, ``python -c pass``...). The two are measured in interleaved
rounds (A, B, A, B, ...), so a noisy neighbour on a shared machine hits both alike; each
round gives a ratio and an excess (figure - anchor), and a goal is judged on the median of
its statistic over the rounds. Absolute figures vary from machine to machine and from
minute to minute; the same-run ratios are what hold.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Statistic = Literal["value", "ratio", "excess"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class Skip(Exception):
    """The row cannot be measured here (say why, and how to make it measurable)."""


@dataclass(frozen=True)
class Settings:
    """What a run asks for: ``quick`` means fewer rounds and smaller counts."""

    quick: bool = False

    @property
    def rounds(self) -> int:
        return 3 if self.quick else 7

    def pick(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Series:
    """One measured quantity, one sample per round."""

    name: str
    unit: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass(frozen=True)
class Goal:
    """``statistic op limit`` on the median over rounds; ``alternatives`` are OR-ed in."""

    statistic: Statistic
    op: Literal[">=", "<=", "<"]
    limit: float
    text: str
    target: float | None = None
    alternatives: tuple[Goal, ...] = ()

    def holds(self, row: Row) -> bool:
        return self._holds_alone(row) or any(g.holds(row) for g in self.alternatives)

    def _holds_alone(self, row: Row) -> bool:
        value = row.median_of(self.statistic)
        if value is None:
            return False
        return _compare(value, self.op, self.limit)

    def misses_target(self, row: Row) -> bool:
        value = row.median_of(self.statistic)
        if self.target is None or value is None:
            return False
        return not _compare(value, self.op, self.target)

    def __or__(self, other: Goal) -> Goal:
        return Goal(
            self.statistic,
            self.op,
            self.limit,
            f"{self.text} or {other.text}",
            self.target,
            (*self.alternatives, other),
        )


def _compare(value: float, op: str, limit: float) -> bool:
    if op == ">=":
        return value >= limit
    if op == "<=":
        return value <= limit
    return value < limit


def ratio_at_least(limit: float, *, target: float | None = None) -> Goal:
    text = f">= {limit:g}x anchor" + (f" (target {target:g}x)" if target is not None else "")
    return Goal("ratio", ">=", limit, text, target)


def ratio_at_most(limit: float) -> Goal:
    return Goal("ratio", "<=", limit, f"<= {limit:g}x anchor")


def value_at_least(limit: float, unit: str) -> Goal:
    return Goal("value", ">=", limit, f">= {limit:,g} {unit}")


def value_at_most(limit: float, unit: str) -> Goal:
    return Goal("value", "<=", limit, f"<= {limit:,g} {unit}")


def value_below(limit: float, unit: str) -> Goal:
    return Goal("value", "<", limit, f"< {limit:,g} {unit}")


def excess_at_most(limit: float, unit: str) -> Goal:
    return Goal("excess", "<=", limit, f"<= {limit:,g} {unit} above anchor")


@dataclass
class Row:
    """One line of the table: a figure, its anchor, a goal and the verdict."""

    id: str
    figure: Series | None
    anchor: Series | None = None
    goal: Goal | None = None
    skipped: str | None = None
    note: str = ""
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.title or (self.figure.name if self.figure else "")

    def per_round(self, statistic: Statistic) -> list[float] | None:
        if self.figure is None:
            return None
        if statistic == "value":
            return list(self.figure.samples)
        if self.anchor is None:
            return None
        pairs = zip(self.figure.samples, self.anchor.samples)
        if statistic == "ratio":
            return [f / a if a else float("inf") for f, a in pairs]
        return [f - a for f, a in pairs]

    def median_of(self, statistic: Statistic) -> float | None:
        values = self.per_round(statistic)
        return statistics.median(values) if values else None

    @property
    def verdict(self) -> str:
        if self.skipped is not None:
            return "SKIP"
        if self.goal is None:
            return "info"
        return "ok" if self.goal.holds(self) else "MISSED"

    def as_dict(self) -> dict[str, Any]:
        def series(s: Series | None) -> dict[str, Any] | None:
            if s is None:
                return None
            return {
                "name": s.name,
                "unit": s.unit,
                "samples": list(s.samples),
                "median": s.median,
                "min": s.low,
                "max": s.high,
            }

        return {
            "id": self.id,
            "name": self.name,
            "figure": series(self.figure),
            "anchor": series(self.anchor),
            "ratio": self.per_round("ratio"),
            "excess": self.per_round("excess"),
            "goal": self.goal.text if self.goal else None,
            "verdict": self.verdict,
            "skipped": self.skipped,
            "note": self.note,
            **self.extra,
        }


# -- measuring ----------------------------------------------------------------------------


def interleave(
    measures: Mapping[str, Callable[[], float]], rounds: int, *, warm_up: bool = True
) -> dict[str, tuple[float, ...]]:
    """Each measure once per round, in turn (A, B, A, B, ...), after one unrecorded warm-up."""
    if warm_up:
        for measure in measures.values():
            measure()
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: tuple(values) for name, values in samples.items()}


def compare(
    row_id: str,
    figure: tuple[str, str, Callable[[], float]],
    anchor: tuple[str, str, Callable[[], float]],
    rounds: int,
    goal: Goal | None = None,
    *,
    note: str = "",
    warm_up: bool = True,
) -> Row:
    """A row from ``figure`` and ``anchor``, each ``(name, unit, measure)``, interleaved."""
    samples = interleave({"figure": figure[2], "anchor": anchor[2]}, rounds, warm_up=warm_up)
    return Row(
        row_id,
        Series(figure[0], figure[1], samples["figure"]),
        Series(anchor[0], anchor[1], samples["anchor"]),
        goal,
        note=note,
    )


def rate(work: Callable[[], int]) -> float:
    """Units per second of one call of ``work`` (which returns how many units it did)."""
    started = time.perf_counter()
    done = work()
    return done / (time.perf_counter() - started)


def wall_ms(command: Sequence[str], *, scale: float = 1000, **options: Any) -> Callable[[], float]:
    """A measure: milliseconds (or seconds, ``scale=1``) to run ``command`` to a good end."""
    return _child_time(command, scale, cpu=False, options=options)


def cpu_ms(command: Sequence[str], **options: Any) -> Callable[[], float]:
    """A measure: CPU milliseconds (user + system) ``command`` takes to a good end.

    For start-up rows on a shared machine: waiting for a core does not count, so the figure
    is what the start-up costs, not how busy the neighbours were.
    """
    return _child_time(command, 1000, cpu=True, options=options)


def _cpu_of_children() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child_time(
    command: Sequence[str], scale: float, *, cpu: bool, options: Mapping[str, Any]
) -> Callable[[], float]:
    def measure() -> float:
        started = _cpu_of_children() if cpu else time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, **options)
        elapsed = (_cpu_of_children() if cpu else time.perf_counter()) - started
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).decode(errors="replace").strip()[-1500:]
            raise RuntimeError(f"{' '.join(command[:4])}... exited {done.returncode}: {tail}")
        return elapsed * scale

    return measure


def fresh_python(code: str, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run ``code`` in a new interpreter (exec'd, nothing inherited but the environment)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else dict(env),
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_rss_mb(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 3600
) -> tuple[float, float, str]:
    """(peak RSS in MB, wall seconds, stdout) of ``command`` under GNU ``/usr/bin/time -v``.

    ``time`` forks the command from its own small process, so the peak is the command's own,
    not inherited from this (large) benchmark process.
    """
    gnu_time = "/usr/bin/time"
    if not os.path.exists(gnu_time):
        raise Skip("GNU time not installed (apt-get install -y time)")
    started = time.perf_counter()
    done = subprocess.run(
        [gnu_time, "-v", *command],
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else dict(env),
        timeout=timeout,
    )
    elapsed = time.perf_counter() - started
    found = _MAX_RSS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
    return int(found.group(1)) / 1024, elapsed, done.stdout


def flat_memory_rows(
    row_id: str,
    name: str,
    command_for: Callable[[int], Sequence[str]],
    count: int,
    *,
    peak_goal: Goal | None,
    growth_mb: float,
    env: Mapping[str, str] | None = None,
) -> list[Row]:
    """Peak RSS of ``count`` items, anchored on the same command with a tenth as many.

    The row ``{row_id}`` judges the peak; ``{row_id}b`` the growth from a tenth to all of
    them (flat memory means the peak does not grow with the count).
    """
    small, _, _ = peak_rss_mb(command_for(count // 10), env=env)
    large, seconds, _ = peak_rss_mb(command_for(count), env=env)
    anchor = Series(f"the same with {count // 10:,}", "MB", (small,))
    per_second = f"{count / seconds:,.0f} items/s with start-up, measured by /usr/bin/time -v"
    figure = Series(f"{name}, {count:,}: peak RSS", "MB", (large,))
    growth = f"{name}: peak RSS growth from {count // 10:,} to {count:,} (flat)"
    return [
        Row(row_id, figure, anchor, peak_goal, note=per_second),
        Row(f"{row_id}b", figure, anchor, excess_at_most(growth_mb, "MB"), title=growth),
    ]


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate a helper process (a receiver), killing it if it has not ended in 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def which(name: str, install_hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Skip(f"{name} not installed ({install_hint})")
    return found


# -- the table ----------------------------------------------------------------------------

RowMaker = Callable[[Settings], list[Row]]


def _num(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 10:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _spread(values: Iterable[float]) -> str:
    listed = list(values)
    if len(listed) == 1:
        return _num(listed[0])
    return f"{_num(statistics.median(listed))} [{_num(min(listed))} .. {_num(max(listed))}]"


def format_row(row: Row) -> str:
    verdict, goal = row.verdict, row.goal
    if row.skipped is not None:
        return f"{row.id:<5} {row.name}\n      SKIP: {row.skipped}"
    assert row.figure is not None
    rounds = len(row.figure.samples)
    how = f"median [min .. max] of {rounds} rounds" if rounds > 1 else "1 round"
    lines = [f"{row.id:<5} {row.name}: {_spread(row.figure.samples)} {row.figure.unit}  ({how})"]
    if row.anchor is not None:
        ratio, excess = row.per_round("ratio"), row.per_round("excess")
        assert ratio is not None
        assert excess is not None
        lines.append(
            f"      anchor {row.anchor.name}: {_spread(row.anchor.samples)} {row.anchor.unit}"
        )
        shown = f"      ratio {_spread(ratio)}x"
        if row.figure.unit.split(" ")[0] in ("ms", "s", "MB", "us") or (
            goal and goal.statistic == "excess"
        ):
            shown += f"  excess {_spread(excess)} {row.figure.unit}"
        lines.append(shown)
    if goal is not None:
        target = "  (target not yet met)" if goal.misses_target(row) else ""
        lines.append(f"      goal {goal.text} (on the median): {verdict}{target}")
    if row.note:
        lines.append(f"      note: {row.note}")
    return "\n".join(lines)


def run_rows(
    makers: Mapping[str, RowMaker], chosen: Iterable[str], settings: Settings
) -> list[Row]:
    """Run the chosen row groups in order; an error in one becomes that row's MISSED line."""
    rows: list[Row] = []
    for key in chosen:
        started = time.perf_counter()
        print(f"[{key}] running...", file=sys.stderr, flush=True)
        try:
            made = makers[key](settings)
        except Skip as skip:
            made = [Row(key, None, skipped=str(skip), title=_title(makers[key]))]
        except Exception as error:  # a benchmark that crashes is a missed goal, said plainly
            made = [
                Row(
                    key,
                    Series("crashed", "", (float("nan"),)),
                    goal=Goal("value", ">=", 0, "runs to the end"),
                    note=f"{type(error).__name__}: {error}",
                    title=_title(makers[key]),
                )
            ]
        for row in made:
            print(format_row(row), flush=True)
        print(f"[{key}] {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        rows.extend(made)
    return rows


def _title(maker: RowMaker) -> str:
    """The maker's docstring's first line without its leading row id."""
    first = (maker.__doc__ or maker.__name__).strip().splitlines()[0]
    return first.split(" ", 1)[1] if first[:1].isupper() and " " in first else first


def summary(rows: Sequence[Row]) -> tuple[str, int]:
    """The closing line and the exit code: 1 when any goal was missed."""
    counts = {v: sum(r.verdict == v for r in rows) for v in ("ok", "MISSED", "SKIP", "info")}
    missed = [r.id for r in rows if r.verdict == "MISSED"]
    text = (
        f"{counts['ok']} goals ok, {counts['MISSED']} MISSED"
        + (f" ({', '.join(missed)})" if missed else "")
        + f", {counts['SKIP']} skipped, {counts['info']} informational rows"
    )
    return text, 1 if missed else 0


def main(makers: Mapping[str, RowMaker], argv: Sequence[str] | None = None) -> int:
    """Command line shared by run.py and every bench_*.py run on its own."""
    import argparse

    parser = argparse.ArgumentParser(description="Benchmark rows, judged against in-run anchors.")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller counts")
    parser.add_argument(
        "--row",
        default="",
        metavar="IDS",
        help=f"comma-separated row groups to run (default all: {', '.join(makers)})",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    chosen = [c.strip() for c in args.row.split(",") if c.strip()] or list(makers)
    unknown = [c for c in chosen if c not in makers]
    if unknown:
        parser.error(f"unknown row(s) {', '.join(unknown)}; choose from {', '.join(makers)}")
    settings = Settings(quick=args.quick)
    print(_machine_line(settings), flush=True)
    rows = run_rows(makers, chosen, settings)
    text, code = summary(rows)
    print(text)
    if args.json:
        document = {"machine": _machine_line(settings), "rows": [r.as_dict() for r in rows]}
        Path(args.json).write_text(json.dumps(document, indent=2, default=str) + "\n")
    return code


def _machine_line(settings: Settings) -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine: {os.cpu_count()} cores, {model or 'unknown CPU'}, load {load:.2f}; "
        f"python {sys.version.split()[0]}; {'quick' if settings.quick else 'full'} run, "
        f"{settings.rounds} interleaved rounds per comparison"
    )
