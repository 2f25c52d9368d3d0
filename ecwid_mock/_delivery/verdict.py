"""Ecwid's verdict on one answer: the one place that decides "was it delivered?".

Every face calls :func:`judge`: the senders when they record an attempt, the conformance
suite, the reference receiver's self-check and the Locust user. The facts (which codes
count) come from ``schemas/delivery-contract.json``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from http import HTTPStatus

from .._schemas.contract import contract
from .._transports.errors import ERROR_KINDS

__all__ = ["ERROR_KINDS", "Judgement", "judge", "status_text"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """Ecwid's verdict: ``accepted``, and in words why not (empty when accepted)."""

    accepted: bool
    reason: str = ""


_ACCEPTED = Judgement(True)


def judge(
    status_code: int | None = None,
    *,
    error: str | None = None,
    detail: str = "",
    location: str | None = None,
) -> Judgement:
    """Judge one answer as Ecwid does: only 200, 201, 202, 204 and 209 are delivered.

    ``status_code`` is the final HTTP status (``None`` when there was none); ``error`` one
    of :data:`ERROR_KINDS` when the attempt failed below HTTP, with ``detail`` in words;
    ``location`` the ``Location`` header of a redirect, which Ecwid does not follow.
    """
    if error is not None:
        if error not in ERROR_KINDS:
            raise ValueError(f"error must be one of {', '.join(ERROR_KINDS)}, but got {error!r}")
        return _refusal(detail or error)
    if status_code is None:
        raise ValueError("judge() needs a status_code or an error")
    if status_code in contract().accepted_statuses:
        return _ACCEPTED
    if 300 <= status_code < 400:
        return Judgement(
            False, f"redirect {status_code} not followed (Location: {location or '(none)'})"
        )
    return _status_refusal(status_code)


# A receiver that keeps failing fails alike thousands of times: one verdict per reason.
_refusal = functools.lru_cache(maxsize=256)(functools.partial(Judgement, False))


@functools.lru_cache(maxsize=256)
def _status_refusal(status_code: int) -> Judgement:
    facts = contract()
    if 200 <= status_code < 300:
        return Judgement(
            False,
            f"status {status_code} is not one Ecwid accepts (only {facts.accepted_text})",
        )
    return Judgement(False, f"status {status_text(status_code)}")


def status_text(code: int) -> str:
    """``404 Not Found``; just the number for codes without a standard phrase."""
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)
