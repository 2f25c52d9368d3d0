"""Cassettes: captured deliveries as JSON Lines, one delivery a line, VCR-like key names.

A line looks like this (``body.encoding`` is ``utf-8`` for text, ``base64`` otherwise)::

    {"version": 1, "recorded_at": "2026-12-01T22:10:00.123456Z",
     "request": {"method": "POST", "path": "/webhooks/ecwid", "query": "eventtype=order.created",
                 "headers": [["content-type", "application/json; charset=UTF-8"]],
                 "body": {"encoding": "utf-8", "string": "{...}"}},
     "response": {"status": {"code": 200}, "elapsed_s": 0.0021},
     "verdicts": {"signature": "valid", "schema": "valid", "schema_problems": []},
     "scrubbed": true}

Reading never stops at a bad line: each one is reported (line number and reason) in
:attr:`Cassette.bad_lines`, and every good line is kept.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "CASSETTE_VERSION",
    "BadLine",
    "Body",
    "Cassette",
    "Interaction",
    "cassette_path",
    "read_bodies",
]

#: The format version written to every line; readers accept this version only.
CASSETTE_VERSION = 1

Headers = tuple[tuple[str, str], ...]


class BadLine(NamedTuple):
    """A line of a cassette (or a bodies file) that could not be read, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Interaction:
    """One captured delivery: the request as received, the answer, and what was known then.

    ``signature`` is ``valid``, ``invalid``, ``missing`` or ``not checked`` (no secret at
    record time); ``schema`` is ``valid`` or ``invalid`` (tolerant mode) with the paths of the
    problems (never their values, which may be personal data).
    """

    body: bytes
    method: str = "POST"
    path: str = "/"
    query: str = ""
    headers: Headers = ()
    received_at: float = 0.0
    status: int | None = None
    elapsed: float | None = None
    signature: str = "not checked"
    schema: str | None = None
    schema_problems: tuple[str, ...] = ()
    scrubbed: bool = False
    line: int | None = field(default=None, compare=False)

    @property
    def uri(self) -> str:
        """The path with its query string."""
        return f"{self.path}?{self.query}" if self.query else self.path

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def payload(self) -> Any:
        """The body parsed as JSON (``ValueError`` when it is not)."""
        return json.loads(self.body)

    def with_changes(self, **changes: Any) -> Interaction:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The cassette form of this interaction (one JSON object)."""
        try:
            body = {"encoding": "utf-8", "string": self.body.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"encoding": "base64", "string": base64.b64encode(self.body).decode("ascii")}
        return {
            "version": CASSETTE_VERSION,
            "recorded_at": _iso(self.received_at),
            "request": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": [[name, value] for name, value in self.headers],
                "body": body,
            },
            "response": {
                "status": {"code": self.status},
                "elapsed_s": None if self.elapsed is None else round(self.elapsed, 6),
            },
            "verdicts": {
                "signature": self.signature,
                "schema": self.schema,
                "schema_problems": list(self.schema_problems),
            },
            "scrubbed": self.scrubbed,
        }

    def to_line(self) -> str:
        """One cassette line, without the newline."""
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Any, *, line: int | None = None) -> Interaction:
        """Read one cassette object; ``ValueError`` naming the first thing that is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("not a JSON object")
        version = data.get("version")
        if version != CASSETTE_VERSION:
            raise ValueError(f"cassette version {version!r} is not {CASSETTE_VERSION}")
        request = _member(data, "request", Mapping)
        body_spec = _member(request, "body", Mapping)
        encoding = body_spec.get("encoding")
        text = _member(body_spec, "string", str)
        if encoding == "utf-8":
            body = text.encode("utf-8")
        elif encoding == "base64":
            try:
                body = base64.b64decode(text, validate=True)
            except ValueError:
                raise ValueError("request.body.string is not valid base64") from None
        else:
            raise ValueError(f"request.body.encoding {encoding!r} is not 'utf-8' or 'base64'")
        headers = request.get("headers", [])
        if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h)
            for h in headers
        ):
            raise ValueError("request.headers must be a list of [name, value] strings")
        response = data.get("response") or {}
        verdicts = data.get("verdicts") or {}
        status = (response.get("status") or {}).get("code")
        elapsed = response.get("elapsed_s")
        return cls(
            body=body,
            method=str(request.get("method", "POST")),
            path=str(request.get("path", "/")),
            query=str(request.get("query", "")),
            headers=tuple((name, value) for name, value in headers),
            received_at=_parse_iso(data.get("recorded_at")),
            status=status if isinstance(status, int) and not isinstance(status, bool) else None,
            elapsed=float(elapsed) if isinstance(elapsed, (int, float)) else None,
            signature=str(verdicts.get("signature", "not checked")),
            schema=verdicts.get("schema") if isinstance(verdicts.get("schema"), str) else None,
            schema_problems=tuple(str(p) for p in verdicts.get("schema_problems", ())),
            scrubbed=data.get("scrubbed") is True,
            line=line,
        )


def _member(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise ValueError(
            f"{name!r} is missing or not {'an object' if kind is Mapping else 'a string'}"
        )
    return value


def _iso(when: float) -> str:
    moment = datetime.fromtimestamp(when, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text: object) -> float:
    if not isinstance(text, str):
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class Cassette:
    """The deliveries of one cassette file, in recorded order; appends one line per delivery.

    ``Cassette(path)`` starts empty (nothing is read); :meth:`load` reads a file. Appending is
    thread-safe and writes through at once, so a crash loses at most the line being written.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.interactions: list[Interaction] = []
        self.bad_lines: list[BadLine] = []
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file; bad lines go to :attr:`bad_lines`, good ones are all kept."""
        cassette = cls(path)
        cassette._read_lines(Path(path).read_bytes())
        return cassette

    @classmethod
    def loads(cls, text: str) -> Cassette:
        """A cassette from its text (not tied to a file)."""
        cassette = cls()
        cassette._read_lines(text.encode("utf-8", "surrogatepass"))
        return cassette

    def _read_lines(self, content: bytes) -> None:
        for number, raw in enumerate(content.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_lines.append(BadLine(number, "not UTF-8"))
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                self.bad_lines.append(BadLine(number, f"not JSON: {exc.msg} at column {exc.colno}"))
                continue
            try:
                self.interactions.append(Interaction.from_dict(value, line=number))
            except ValueError as exc:
                self.bad_lines.append(BadLine(number, str(exc)))

    def append(self, interaction: Interaction) -> None:
        """Add one delivery (written to the file at once when the cassette has a path)."""
        line = interaction.to_line()
        with self._lock:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
            self.interactions.append(interaction)

    def extend(self, interactions: Iterable[Interaction]) -> None:
        for interaction in interactions:
            self.append(interaction)

    def __iter__(self) -> Iterator[Interaction]:
        return iter(list(self.interactions))

    def __len__(self) -> int:
        return len(self.interactions)

    def __getitem__(self, index: int) -> Interaction:
        return self.interactions[index]

    def __repr__(self) -> str:
        where = f" {str(self.path)!r}" if self.path is not None else ""
        bad = f", {len(self.bad_lines)} bad lines" if self.bad_lines else ""
        return f"<Cassette{where}: {len(self.interactions)} deliveries{bad}>"


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def cassette_path(module: str, test: str, *, root: str | Path = "tests/cassettes") -> Path:
    """Where a test's cassette lives: ``<root>/<module>/<test>.jsonl``.

    ``module`` is a file path (``tests/test_hooks.py``) or a dotted name (``tests.test_hooks``);
    ``test`` is the test's name, parametrize id included (unsafe characters become ``_``).
    """
    name = module.replace("\\", "/").rsplit("/", 1)[-1]
    if name.endswith(".py"):
        name = name[:-3]
    name = name.rsplit(".", 1)[-1]
    safe_test = _UNSAFE.sub("_", test).strip("_") or "test"
    return Path(root) / (_UNSAFE.sub("_", name) or "module") / f"{safe_test}.jsonl"


class Body(NamedTuple):
    """One body read from a file of bodies: its line (1 for a whole-file body) and exact bytes."""

    line: int
    body: bytes
    interaction: Interaction | None


def read_bodies(data: bytes) -> tuple[list[Body], list[BadLine]]:
    """Bodies from one JSON body, JSON Lines of bodies, or a cassette (the kind is detected).

    A whole-file body keeps its exact bytes (surrounding whitespace removed); in JSON Lines each
    line's bytes are the body. Every line that is not a JSON object is reported, none is lost.
    """
    stripped = data.strip()
    try:
        whole = json.loads(stripped) if stripped else None
    except (UnicodeDecodeError, ValueError):
        whole = None
    if isinstance(whole, dict):
        lines = [stripped]
    elif isinstance(whole, list):
        return [], [BadLine(1, "a JSON array: give one body, or one body a line (JSON Lines)")]
    else:
        lines = data.split(b"\n")
    bodies: list[Body] = []
    bad: list[BadLine] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except UnicodeDecodeError:
            bad.append(BadLine(number, "not UTF-8"))
            continue
        except json.JSONDecodeError as exc:
            bad.append(BadLine(number, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            bad.append(BadLine(number, f"a JSON {type(value).__name__}, not an object"))
            continue
        if "request" in value and "version" in value:
            try:
                interaction = Interaction.from_dict(value, line=number)
            except ValueError as exc:
                bad.append(BadLine(number, f"cassette line: {exc}"))
                continue
            bodies.append(Body(number, interaction.body, interaction))
        else:
            bodies.append(Body(number, line, None))
    return bodies, bad
