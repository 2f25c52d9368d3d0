"""Ecwid's webhook signature: Base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}")).

Only ``eventCreated`` and ``eventId`` are signed, not the body: a receiver must still
deduplicate by ``eventId`` and re-read the entity from the REST API.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
from typing import Any

from .._errors import InvalidOption
from .._secrets import register

__all__ = [
    "SIGNATURE_HEADER",
    "TEST_CLIENT_SECRET",
    "Secret",
    "hmac_base64",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Ecwid-Webhook-Signature"

# The documented secret ecwid-mock signs with when none is given: tests need none to start.
TEST_CLIENT_SECRET = "ecwid-mock-test-client-secret"


class Secret:
    """A client secret or token that never shows itself in a repr, str, log or exception."""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes | Secret) -> None:
        if isinstance(value, Secret):
            self._value: bytes = value._value
            return
        if isinstance(value, str):
            try:
                self._value = value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidOption(
                    "client secret", "(not shown)", "text without lone surrogates (UTF-8)"
                ) from None
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self._value = bytes(value)
        else:
            raise InvalidOption(
                "client secret", f"<{type(value).__name__}>", "a str, bytes or ecwid_mock.Secret"
            )
        register(self._value)

    def reveal(self) -> bytes:
        """The secret's bytes, for computing an HMAC; never print them."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(hashlib.sha256(self._value).digest())

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def _key(client_secret: str | bytes | Secret) -> bytes:
    return (
        client_secret.reveal()
        if isinstance(client_secret, Secret)
        else Secret(client_secret).reveal()
    )


def sign(event_created: int, event_id: str, client_secret: str | bytes | Secret) -> str:
    """The value of ``X-Ecwid-Webhook-Signature`` for one event (standard Base64, 44 chars)."""
    message = f"{int(event_created)}.{event_id}".encode()
    return hmac_base64(_key(client_secret), message)


def hmac_base64(key: bytes, message: bytes) -> str:
    """Standard Base64 (with padding) of HMAC-SHA256(key, message), on the C fast path."""
    return binascii.b2a_base64(hmac.digest(key, message, "sha256"), newline=False).decode("ascii")


def verify_signature(
    body: bytes | bytearray | memoryview | str,
    signature: str | bytes | None,
    client_secret: str | bytes | Secret,
) -> bool:
    """True when ``signature`` is Ecwid's signature of this webhook body.

    Safe for a production receiver: constant-time comparison, and ``False`` (never an
    exception) for a missing or malformed signature or a body that is not an Ecwid event.
    """
    if not isinstance(client_secret, (str, bytes, bytearray, Secret)):
        raise InvalidOption(
            "client_secret",
            f"<{type(client_secret).__name__}>",
            "the app's client secret (a str, bytes or ecwid_mock.Secret)",
            source="verify_signature()",
        )
    if signature is None:
        return False
    try:
        text = (
            bytes(body).decode("utf-8")
            if isinstance(body, (bytes, bytearray, memoryview))
            else body
        )
        payload = json.loads(text)
        created = payload["eventCreated"]
        event_id = payload["eventId"]
        given = signature.encode("ascii") if isinstance(signature, str) else bytes(signature)
    except (ValueError, TypeError, KeyError, UnicodeError, AttributeError, RecursionError):
        return False
    if isinstance(created, bool) or not isinstance(created, int) or not isinstance(event_id, str):
        return False
    try:
        expected = sign(created, event_id, client_secret).encode("ascii")
    except UnicodeError:  # an eventId with a lone surrogate cannot be what Ecwid signed
        return False
    return hmac.compare_digest(expected, given.strip())
