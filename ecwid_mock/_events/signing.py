"""Ecwid's webhook signature: Base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}")).

Only ``eventCreated`` and ``eventId`` are signed, not the body: a receiver must still
deduplicate by ``eventId`` and re-read the entity from the REST API.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from typing import Any

from .._checks import loads_json
from .._errors import InvalidOption
from .._secrets import register

__all__ = [
    "SIGNATURE_HEADER",
    "TEST_CLIENT_SECRET",
    "HmacSigner",
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
    if isinstance(event_created, bool) or not isinstance(event_created, int):
        raise InvalidOption(
            "event_created", event_created, "UNIX seconds as an int", source="sign()"
        )
    if not 0 <= event_created < 2**63:
        raise InvalidOption(
            "event_created", event_created, "UNIX seconds from 0 to 2**63 - 1", source="sign()"
        )
    if not isinstance(event_id, str):
        raise InvalidOption(
            "event_id", f"<{type(event_id).__name__}>", "a str (the event's id)", source="sign()"
        )
    try:
        message = f"{event_created}.{event_id}".encode()
    except UnicodeEncodeError as exc:
        raise InvalidOption(
            "event_id",
            event_id[:60],
            f"UTF-8 text (a lone surrogate at {exc.start})",
            source="sign()",
        ) from None
    return hmac_base64(_key(client_secret), message)


def hmac_base64(key: bytes, message: bytes) -> str:
    """Standard Base64 (with padding) of HMAC-SHA256(key, message), on the C fast path."""
    return binascii.b2a_base64(hmac.digest(key, message, "sha256"), newline=False).decode("ascii")


# RFC 2104's pads, as the hmac module's own construction XORs the key with them.
_BLOCK_SIZE = 64  # SHA-256's
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


class HmacSigner:
    """:func:`hmac_base64` with one key, for signing many messages: about 2x as fast.

    HMAC is SHA-256 over the padded key twice (RFC 2104): the inner and outer hash states,
    with the key already in them, are set up once and copied per message, where
    ``hmac.digest`` sets up the key every time. A copy of a plain SHA-256 state is cheaper
    than a copy of OpenSSL's HMAC state (1.0 us a signature then, 0.76 us now). Same bytes as
    :func:`hmac_base64`.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK_SIZE:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK_SIZE, b"\0")
        self._inner = hashlib.sha256(key.translate(_INNER_PAD))
        self._outer = hashlib.sha256(key.translate(_OUTER_PAD))

    def __call__(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return binascii.b2a_base64(outer.digest(), newline=False).decode("ascii")

    def __repr__(self) -> str:
        return "HmacSigner(key='********')"

    def __reduce__(self) -> Any:
        raise TypeError("an HmacSigner holds a secret and cannot be pickled")


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
    _key(client_secret)  # a secret that is no secret is the caller's error, raised
    if not isinstance(signature, (str, bytes, bytearray, memoryview)):
        return False  # None (no header) or anything that cannot be a header value
    try:
        text = (
            bytes(body).decode("utf-8")
            if isinstance(body, (bytes, bytearray, memoryview))
            else body
        )
        payload = loads_json(text)
        created = payload["eventCreated"]
        event_id = payload["eventId"]
        given = signature.encode("ascii") if isinstance(signature, str) else bytes(signature)
    except (ValueError, TypeError, KeyError, UnicodeError, AttributeError, RecursionError):
        return False
    if isinstance(created, bool) or not isinstance(created, int) or not isinstance(event_id, str):
        return False
    try:
        expected = sign(created, event_id, client_secret).encode("ascii")
    except InvalidOption:  # a lone surrogate or an out-of-range time: not what Ecwid signed
        return False
    return hmac.compare_digest(expected, given.strip())
