"""Scrubbing: make a captured delivery safe to commit, before anything is written. Fails closed.

* Headers: the signature header, credentials (any name with auth, token, secret, key, cookie,
  signature or password in it) and the configured ``drop_headers`` are dropped.
* URL: only Ecwid's own ``eventtype`` query parameter is kept.
* Body: every value the schemas mark ``"x-ecwid": {"pii": KIND}`` becomes a Faker value, and
  every ``"x-ecwid": {"id": NAMESPACE}`` a remapped id; both are keyed on an HMAC of the
  original, so the same customer gets the same fake in every capture made with the same key.
  Ids keep their JSON type, digit count and an order id's merchant prefix or suffix. Only the
  replaced values change: every other byte of the body is kept.
* A field the schema does not know is refused unless ``allow`` names it (glob patterns on the
  dotted path, e.g. ``data.extraField`` or ``data.*``).
* Finally the whole record is searched for every configured secret and anything shaped like an
  Ecwid token (``secret_...``, ``public_...``): if one is found, nothing is written.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
import re
import string
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .._errors import ScrubError
from .._events.signing import SIGNATURE_HEADER, Secret
from .cassette import Interaction
from .fields import Location, event_type_of, locate
from .jsontext import DuplicateKey, Path, replace_values, value_spans

__all__ = ["PayloadHook", "Scrubber", "scrub"]

PayloadHook = Callable[[dict[str, Any]], dict[str, Any]]

_CREDENTIAL_HEADER = re.compile(r"auth|token|secret|key|cookie|signature|password|session", re.I)
_TOKEN = re.compile(r"(?:secret|public)_[A-Za-z0-9]{8,}")
_KEPT_QUERY = frozenset({"eventtype"})
_HEX_ID = re.compile(r"[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)+")


class Scrubber:
    """Scrubs :class:`~ecwid_mock.Interaction` records with one HMAC ``key`` (keep it private).

    ``allow``: glob patterns of dotted paths of fields the schema does not know that may be kept
    as captured. ``drop_headers``: more header names to drop. ``secrets``: values (the client
    secret, tokens) that must never be written. ``scrub``: a hook ``payload -> payload`` run on the
    parsed body before the built-in rules (to remove or fake what only you know about); a body
    the hook changes is serialised again (compact, in the hook's key order).
    """

    def __init__(
        self,
        key: str | bytes | Secret,
        *,
        allow: Iterable[str] = (),
        drop_headers: Iterable[str] = (),
        secrets: Iterable[str | bytes | Secret] = (),
        scrub: PayloadHook | None = None,
    ) -> None:
        self._key = Secret(key)
        if not self._key:
            raise ScrubError("the scrub key is empty; give a private key of your own")
        self.allow = tuple(allow)
        self.drop_headers = frozenset(h.lower() for h in drop_headers)
        self._secrets = tuple(
            s for s in (Secret(v).reveal().decode("utf-8", "replace") for v in secrets) if s
        )
        self.scrub_hook = scrub
        self._faker: Any = None
        self._faker_lock = threading.Lock()  # seeding then drawing must not interleave

    def __repr__(self) -> str:
        return f"Scrubber(key=Secret('********'), allow={self.allow!r})"

    def add_secret(self, value: str | bytes | Secret) -> None:
        """One more value that must never be written."""
        text = Secret(value).reveal().decode("utf-8", "replace")
        if text:
            self._secrets = (*self._secrets, text)

    # -- the record ----------------------------------------------------------------------------

    def scrub(self, interaction: Interaction) -> Interaction:
        """A copy safe to keep; :class:`~ecwid_mock.ScrubError` when it cannot be made safe.

        Idempotent: a record already scrubbed keeps its values (the checks still run).
        """
        body = interaction.body if interaction.scrubbed else self.scrub_body(interaction.body)
        result = interaction.with_changes(
            body=body,
            path=self._clean_text(interaction.path),
            query=_clean_query(interaction.query),
            headers=tuple(
                (name, value)
                for name, value in interaction.headers
                if not self._drops_header(name, value)
            ),
            scrubbed=True,
        )
        self.check(result.to_line())
        try:  # the body's values as decoded: "\u0073ecret_..." must not slip through
            decoded = json.dumps(json.loads(result.body), ensure_ascii=False)
        except ValueError:
            decoded = ""
        self.check(decoded)
        return result

    def check(self, text: str) -> None:
        """Refuse ``text`` that holds a configured secret or an Ecwid-shaped token."""
        escaped = (json.dumps(secret, ensure_ascii=False)[1:-1] for secret in self._secrets)
        if (
            any(secret in text for secret in self._secrets)
            or any(secret in text for secret in escaped)
            or _TOKEN.search(text)
        ):
            raise ScrubError(
                "a secret or token would be written; nothing was kept (add a scrub hook or "
                "drop the header that carries it)"
            )

    def _drops_header(self, name: str, value: str) -> bool:
        lowered = name.lower()
        return (
            lowered == SIGNATURE_HEADER.lower()
            or lowered in self.drop_headers
            or bool(_CREDENTIAL_HEADER.search(lowered))
            or any(secret in value for secret in self._secrets)
            or bool(_TOKEN.search(value))
        )

    def _clean_text(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "REDACTED")
        return _TOKEN.sub("REDACTED", text)

    # -- the body -------------------------------------------------------------------------------

    def scrub_body(self, body: bytes) -> bytes:
        """The body with personal data and ids replaced; other bytes kept as they were."""
        try:
            text = body.decode("utf-8")
            payload = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise ScrubError("the body is not UTF-8 JSON, so it cannot be scrubbed") from None
        if not isinstance(payload, dict):
            raise ScrubError("the body is not a JSON object, so it cannot be scrubbed")
        if self.scrub_hook is not None:
            try:
                hooked = self.scrub_hook(json.loads(text))
            except Exception as exc:  # the user's code: its message may hold captured data
                raise ScrubError(f"the scrub= hook raised {type(exc).__name__}") from None
            if not isinstance(hooked, dict):
                raise ScrubError(f"the scrub= hook returned {type(hooked).__name__}, not a dict")
            if hooked != payload:
                payload = hooked
                text = json.dumps(hooked, ensure_ascii=False, separators=(",", ":"))
        event_type = event_type_of(payload)
        if event_type is None:
            raise ScrubError(
                "the body's eventType is missing or unknown, so no schema says what to scrub",
                fields=["eventType"],
            )
        try:
            spans = value_spans(text)
        except DuplicateKey as exc:
            raise ScrubError(f"the body is ambiguous: {exc}") from None
        replacements: dict[Path, Any] = {}
        unknown: list[str] = []
        self._walk(event_type, payload, (), replacements, unknown)
        if unknown:
            raise ScrubError(
                f"{event_type} body has fields the schema does not know: {', '.join(unknown)} "
                "(allow them, or remove them with a scrub hook)",
                fields=unknown,
            )
        return replace_values(text, replacements, spans).encode("utf-8")

    def _walk(
        self,
        event_type: str,
        value: Any,
        path: Path,
        replacements: dict[Path, Any],
        unknown: list[str],
    ) -> None:
        location = locate(event_type, path) if path else None
        if path and location is None:
            dotted = _dotted(path)
            if not any(fnmatch.fnmatchcase(dotted, pattern) for pattern in self.allow):
                unknown.append(dotted)
            return
        if location is not None and location.marks:
            replacements[path] = self._replace(location, value, _dotted(path))
            return
        if isinstance(value, dict):
            for name, item in value.items():
                self._walk(event_type, item, (*path, name), replacements, unknown)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(event_type, item, (*path, index), replacements, unknown)

    def _replace(self, location: Location, value: Any, dotted: str) -> Any:
        if value is None:
            return None
        pii = location.marks.get("pii")
        if pii is not None:
            if not isinstance(value, str):
                raise ScrubError(
                    f"{dotted} holds personal data that is not a string", fields=[dotted]
                )
            return self.fake(pii, value)
        namespace = location.marks["id"]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ScrubError(
                f"{dotted} holds an id that is not a string or integer", fields=[dotted]
            )
        return self.remap_id(namespace, value)

    # -- values ---------------------------------------------------------------------------------

    def _digest(self, *parts: str) -> bytes:
        message = "\x00".join(parts).encode("utf-8", "surrogatepass")
        return hmac.digest(self._key.reveal(), message, hashlib.sha256)

    def fake(self, kind: str, original: str) -> str:
        """The Faker value of kind ``kind`` (``email``, ``name``, ...) standing for ``original``."""
        digest = self._digest("pii", kind, original.strip().lower())
        method = "safe_email" if kind == "email" else kind
        with self._faker_lock:
            if self._faker is None:
                from faker import Faker

                self._faker = Faker("en_US")
            provider = getattr(self._faker, method, None)
            if not callable(provider):
                raise ScrubError(f"x-ecwid pii kind {kind!r} has no Faker provider of that name")
            self._faker.seed_instance(int.from_bytes(digest[:8], "big"))
            return str(provider())

    def remap_id(self, namespace: str, original: int | str) -> int | str:
        """A stand-in id: same type and digit count; an order id keeps its prefix or suffix."""
        text = str(original)
        digest = self._digest("id", namespace, text)
        if isinstance(original, int):
            sign = "-" if text.startswith("-") else ""
            return int(sign + _digits(text.lstrip("-"), digest))
        if text.isdigit():
            return _digits(text, digest)
        if _HEX_ID.fullmatch(text):
            return _characters(text, digest, hexadecimal=True)
        pieces = re.split(r"([^A-Za-z0-9]+)", text)
        if len(pieces) == 1:
            return _characters(text, digest)
        words = [i for i in range(0, len(pieces), 2) if pieces[i]]
        core = next((i for i in reversed(words) if len(pieces[i]) == 5), None)
        if core is None:
            core = max(words, key=lambda i: len(pieces[i]))
        pieces[core] = _characters(pieces[core], digest)
        return "".join(pieces)


def _digits(text: str, digest: bytes) -> str:
    count = len(text)
    low = 10 ** (count - 1) if count > 1 else 1
    high = 10**count - 1
    return str(low + int.from_bytes(digest, "big") % (high - low + 1))


def _characters(text: str, digest: bytes, *, hexadecimal: bool = False) -> str:
    out = []
    upper = "ABCDEF" if hexadecimal else string.ascii_uppercase
    lower = "abcdef" if hexadecimal else string.ascii_lowercase
    for index, char in enumerate(text):
        byte = digest[index % len(digest)] ^ (index // len(digest))
        if char.isdigit():
            out.append(string.digits[byte % 10])
        elif char.isupper():
            out.append(upper[byte % len(upper)])
        elif char.islower():
            out.append(lower[byte % len(lower)])
        else:
            out.append(char)
    return "".join(out)


def _clean_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k.lower() in _KEPT_QUERY])


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def scrub(
    interaction: Interaction,
    *,
    key: str | bytes | Secret,
    allow: Iterable[str] = (),
    drop_headers: Iterable[str] = (),
    secrets: Iterable[str | bytes | Secret] = (),
    scrub: PayloadHook | None = None,
) -> Interaction:
    """Scrub one record with a one-off :class:`Scrubber` (see there for the rules)."""
    scrubber = Scrubber(key, allow=allow, drop_headers=drop_headers, secrets=secrets, scrub=scrub)
    return scrubber.scrub(interaction)
