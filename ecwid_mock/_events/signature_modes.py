"""Signature modes: the right signature, and the wrong ones a receiver must refuse.

:data:`SIGNATURE_MODES` maps each mode to a one-line description; the factory, the command
line and the docs all use it. Only ``valid``, ``stale`` and ``tampered`` carry a signature that
:func:`ecwid_mock.verify_signature` accepts: Ecwid signs ``"{eventCreated}.{eventId}"`` and
nothing else, so a stale event or a changed body cannot be told apart by the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Mapping
from types import MappingProxyType

from .._errors import InvalidOption
from .signing import Secret, hmac_base64

__all__ = ["ACCEPTED_MODES", "SIGNATURE_MODES", "check_mode", "signature_for"]

SIGNATURE_MODES: Mapping[str, str] = MappingProxyType(
    {
        "valid": "signed as Ecwid does: Base64 HMAC-SHA256 of '{eventCreated}.{eventId}' "
        "with the client secret",
        "missing": "no X-Ecwid-Webhook-Signature header at all",
        "invalid": "a random 44-character Base64 value",
        "wrong-secret": "signed as Ecwid does, but with another app's client secret",
        "access-token": "signed with a secret_... REST access token instead of the client secret",
        "hex": "the right HMAC, but hex-encoded instead of Base64",
        "body": "Base64 HMAC of the body instead of '{eventCreated}.{eventId}' "
        "(a mistake found in public receivers)",
        "stale": "a valid signature, but eventCreated is days old (for replay-window checks)",
        "tampered": "a valid signature, but data changed after signing: undetectable by design, "
        "since only eventCreated and eventId are signed",
    }
)

# Modes whose signature verify_signature() accepts.
ACCEPTED_MODES = frozenset({"valid", "stale", "tampered"})


def check_mode(mode: object, *, source: str = "") -> str:
    """``mode`` if it is a known signature mode; :class:`InvalidOption` listing them if not."""
    if not isinstance(mode, str) or mode not in SIGNATURE_MODES:
        raise InvalidOption(
            "signature mode", mode, "one of " + ", ".join(SIGNATURE_MODES), source=source
        )
    return mode


def signature_for(
    mode: str,
    *,
    body: bytes,
    message: bytes,
    client_secret: Secret,
    wrong_secret: Secret,
    access_token: Secret,
    rng: random.Random,
) -> str | None:
    """The header value for ``mode``; ``message`` is ``b"{eventCreated}.{eventId}"``."""
    if mode in ACCEPTED_MODES:
        return hmac_base64(client_secret.reveal(), message)
    if mode == "missing":
        return None
    if mode == "invalid":
        return hmac_base64(rng.randbytes(32), rng.randbytes(16))
    if mode == "wrong-secret":
        return hmac_base64(wrong_secret.reveal(), message)
    if mode == "access-token":
        return hmac_base64(access_token.reveal(), message)
    if mode == "hex":
        return hmac.new(client_secret.reveal(), message, hashlib.sha256).hexdigest()
    if mode == "body":
        return hmac_base64(client_secret.reveal(), body)
    raise AssertionError(f"signature mode {mode!r} has no signer")  # pragma: no cover
