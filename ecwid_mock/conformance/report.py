"""What a conformance run found: verdicts with their evidence, for people and for machines.

A :class:`ConformanceReport` holds one :class:`CheckResult` per check. It renders as a table
for a terminal (colour only when asked), as JSON, and as JUnit XML for CI systems: one
testcase per check, failures as ``<failure>``, skips as ``<skipped>``, warnings as passing
testcases whose ``<system-out>`` says what to improve.

Nothing here sends anything, and nothing here ever holds a secret: evidence records the
signature *mode* and the status that came back, never a key.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

from .._clock import format_time
from .._delivery.verdict import judge, status_text
from .._version import __version__

__all__ = [
    "CheckResult",
    "ConformanceReport",
    "Exchange",
    "Finding",
    "Verdict",
    "format_duration",
    "percentile",
]


class Verdict(str, Enum):
    """How a check ended: pass, fail, warn (works, but risky) or skip (could not judge)."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Exchange:
    """One request the suite sent and what came back: the evidence behind a verdict.

    ``sent`` says in words what was sent; ``signature`` is the signature *mode*
    (``valid``, ``missing``, ``hex`` ...), never a key. ``status`` is ``None`` when no HTTP
    answer came (then ``error`` names the network failure); ``reason`` says why Ecwid would
    not count the answer as delivered (empty when it would). ``duration`` is in seconds.
    ``kind`` is ``webhook`` for what the suite sent, ``rest`` for a REST call the receiver
    made to the store (then ``body_excerpt`` holds the store's ``errorCode``, if any).
    """

    sent: str
    event_type: str | None = None
    event_id: str | None = None
    signature: str | None = None
    attempt: int = 1
    status: int | None = None
    error: str | None = None
    reason: str = ""
    duration: float | None = None
    location: str | None = None
    body_excerpt: str = ""
    app_error: str = ""
    kind: str = "webhook"

    @property
    def raised(self) -> str:
        """The last line of the in-process app's traceback (``KeyError: 'x'``), or empty."""
        lines = [line for line in self.app_error.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def delivered(self) -> bool:
        """True when Ecwid would count the answer as delivered (200, 201, 202, 204, 209)."""
        return (
            self.kind == "webhook"
            and self.error is None
            and self.status is not None
            and judge(self.status).accepted
        )

    @property
    def answered(self) -> bool:
        """True when an HTTP answer came back (whatever its status)."""
        return self.status is not None

    @property
    def answer(self) -> str:
        """The answer in a few words: ``200 OK``, ``401 Unauthorized``, ``301 ... -> /new``."""
        if self.status is None:
            return self.reason or (self.error or "no answer")
        text = status_text(self.status)
        if 300 <= self.status < 400:
            return f"{text} -> {self.location or '(no Location)'}"
        if self.kind == "rest" and self.body_excerpt:
            return f"{text} {self.body_excerpt}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "signature": self.signature,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "delivered": self.delivered,
            "reason": self.reason,
            "duration_s": None if self.duration is None else round(self.duration, 6),
            "location": self.location,
            "body_excerpt": self.body_excerpt,
            "app_error": self.app_error or None,
            "kind": self.kind,
        }

    def describe(self) -> str:
        """One line: what was sent, what came back, how long it took."""
        took = f" in {format_duration(self.duration)}" if self.duration is not None else ""
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        raised = f" (the app raised {self.raised})" if self.raised else ""
        return f"{self.sent}{attempt}: {self.answer}{raised}{took}"


@dataclass(frozen=True)
class Finding:
    """What a check found; the suite adds the check's id, title and duration.

    ``blocked_by`` names the check whose finding made this one impossible to judge (for
    skips); ``measurements`` holds figures such as response-time percentiles.
    """

    verdict: Verdict
    summary: str
    details: tuple[str, ...] = ()
    evidence: tuple[Exchange, ...] = ()
    measurements: Mapping[str, Any] = field(default_factory=dict)
    blocked_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheckResult(Finding):
    """The verdict of one check, a one-line summary, how to fix it, and the evidence."""

    id: str
    title: str
    duration: float = 0.0

    @classmethod
    def of(cls, finding: Finding, *, id: str, title: str, duration: float) -> CheckResult:
        """The result of check ``id``: its finding, named and timed."""
        found = {f.name: getattr(finding, f.name) for f in fields(Finding)}
        return cls(**found, id=id, title=title, duration=duration)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def explain(self) -> str:
        """Summary, details, evidence and the app's traceback as text (what a failed pytest
        item shows)."""
        lines = [f"[{self.verdict.value}] {self.id}: {self.summary}"]
        lines += [f"  {line}" for line in self.details]
        if self.evidence:
            lines.append("  evidence:")
            lines += [f"    {e.describe()}" for e in self.evidence[:_EVIDENCE_LINES]]
            hidden = len(self.evidence) - _EVIDENCE_LINES
            if hidden > 0:
                lines.append(f"    ... and {hidden} more (see the JSON report)")
        return "\n".join(lines + _traceback_lines(self))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "verdict": self.verdict.value,
            "summary": self.summary,
            "details": list(self.details),
            "blocked_by": self.blocked_by,
            "measurements": dict(self.measurements),
            "duration_s": round(self.duration, 6),
            "evidence": [e.as_dict() for e in self.evidence],
        }

    def __repr__(self) -> str:
        return f"<CheckResult {self.id}: {self.verdict.value} - {self.summary}>"


def _traceback_lines(result: CheckResult) -> list[str]:
    """The first traceback an in-process app raised in ``result``'s evidence, indented."""
    raised = next((e for e in result.evidence if e.app_error), None)
    if raised is None:
        return []
    head = f"  the receiver raised while answering {raised.sent}:"
    return [head, *(f"    {line}" for line in raised.app_error.rstrip().splitlines())]


_EVIDENCE_LINES = 12
_ORDER = (Verdict.FAIL, Verdict.WARN, Verdict.SKIP, Verdict.PASS)
_COLOURS = {Verdict.PASS: "32", Verdict.FAIL: "31", Verdict.WARN: "33", Verdict.SKIP: "2"}


@dataclass(frozen=True)
class ConformanceReport:
    """Every check's result for one target, in the order the checks ran.

    ``ok`` is True when no check failed (warnings and skips do not fail a run);
    ``exit_code`` is what ``ecwid-mock check`` exits with (0 or 1).
    """

    target: str
    results: tuple[CheckResult, ...]
    event_types: tuple[str, ...] = ()
    seed: int | None = None
    started_at: float = 0.0
    elapsed: float = 0.0
    store_id: int | None = None

    def __iter__(self) -> Iterator[CheckResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, check_id: str) -> CheckResult:
        for result in self.results:
            if result.id == check_id:
                return result
        known = ", ".join(r.id for r in self.results)
        raise KeyError(f"no check {check_id!r} in this report (it has: {known})")

    @property
    def verdicts(self) -> dict[str, Verdict]:
        """check id -> verdict, in run order."""
        return {r.id: r.verdict for r in self.results}

    @property
    def counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for result in self.results:
            counts[result.verdict.value] += 1
        return counts

    @property
    def ok(self) -> bool:
        return all(r.verdict is not Verdict.FAIL for r in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def summary_line(self) -> str:
        """``15 passed, 1 failed, 1 warning, 0 skipped in 0.84 s``."""
        counts = self.counts
        warnings = counts["warn"]
        return (
            f"{counts['pass']} passed, {counts['fail']} failed, "
            f"{warnings} warning{'s' if warnings != 1 else ''}, {counts['skip']} skipped "
            f"in {format_duration(self.elapsed)}"
        )

    # -- for people ---------------------------------------------------------------------

    def format_table(self, *, colour: bool = False, details: bool = True) -> str:
        """A table of verdicts with short evidence; then what to fix for each non-pass."""
        rows = [(r.id, r.verdict.value.upper(), r.summary) for r in self.results]
        width_id = max([len("CHECK"), *(len(r[0]) for r in rows)])
        width_v = len("VERDICT")
        lines = [
            f"ecwid-mock conformance: {self.target}",
            f"{len(self.event_types)} event types, seed {self.seed}"
            + (f", store id {self.store_id}" if self.store_id is not None else ""),
            "",
            _paint(f"{'CHECK'.ljust(width_id)}  {'VERDICT'.ljust(width_v)}  EVIDENCE", "1", colour),
        ]
        for result, (check_id, verdict, summary) in zip(self.results, rows):
            painted = _paint(verdict.ljust(width_v), _COLOURS[result.verdict], colour)
            lines.append(f"{check_id.ljust(width_id)}  {painted}  {summary}")
        if details:
            for verdict in _ORDER[:3]:
                for result in self.results:
                    if result.verdict is verdict:
                        lines.append("")
                        head = f"{result.verdict.value.upper()} {result.id}: {result.title}"
                        lines.append(_paint(head, _COLOURS[result.verdict], colour))
                        lines += [f"  {line}" for line in result.details]
                        lines += _traceback_lines(result)
        lines += ["", _paint(self.summary_line(), "31" if not self.ok else "32", colour)]
        return "\n".join(lines)

    # -- for machines -------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": "ecwid-mock",
            "version": __version__,
            "target": self.target,
            "seed": self.seed,
            "store_id": self.store_id,
            "started_at": format_time(self.started_at) if self.started_at else None,
            "elapsed_s": round(self.elapsed, 6),
            "event_types": list(self.event_types),
            "ok": self.ok,
            "counts": self.counts,
            "checks": [r.as_dict() for r in self.results],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.as_dict(), indent=indent, ensure_ascii=False)

    def to_junit_xml(self, *, suite_name: str = "ecwid-mock conformance") -> str:
        """JUnit XML: one testcase per check; warnings pass, with their advice in system-out."""
        import xml.etree.ElementTree as ET

        counts = self.counts
        root = ET.Element("testsuites")
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": suite_name,
                "tests": str(len(self.results)),
                "failures": str(counts["fail"]),
                "errors": "0",
                "skipped": str(counts["skip"]),
                "time": f"{self.elapsed:.3f}",
                "timestamp": format_time(self.started_at) if self.started_at else "",
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (("target", self.target), ("seed", str(self.seed))):
            ET.SubElement(properties, "property", {"name": name, "value": value})
        for result in self.results:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": "ecwid-conformance",
                    "name": result.id,
                    "time": f"{result.duration:.3f}",
                },
            )
            text = _xml_text(result.explain())
            if result.verdict is Verdict.FAIL:
                failure = ET.SubElement(
                    case, "failure", {"message": _xml_text(result.summary), "type": "fail"}
                )
                failure.text = text
            elif result.verdict is Verdict.SKIP:
                ET.SubElement(case, "skipped", {"message": _xml_text(result.summary)})
                ET.SubElement(case, "system-out").text = text
            elif result.verdict is Verdict.WARN:
                ET.SubElement(case, "system-out").text = "WARNING: " + text
            else:
                ET.SubElement(case, "system-out").text = text
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

    def __repr__(self) -> str:
        return f"<ConformanceReport {self.target}: {self.summary_line()}>"


def _paint(text: str, code: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters (receivers' bodies may hold them)."""
    return "".join(
        ch if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff") else "?"
        for ch in text
    )


def format_duration(seconds: float | None) -> str:
    """``0.8 ms``, ``412 ms``, ``3.20 s``; ``-`` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank ``q``-quantile (0 < q <= 1) of ``values``; ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]
