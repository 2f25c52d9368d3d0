"""Settings of a test run, resolved from several sources with a record of where each came from.

The pytest plugin (and the CLI) hand raw values over, source by source, highest precedence
first: marker > command line > environment > ini file. A bad value is reported with its source,
for example ``invalid ecwid_transport 'htps' (from ini file pytest.ini): must be one of ...``.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from ._checks import INT64_MAX, check_text
from ._errors import InvalidOption
from ._events.signing import TEST_CLIENT_SECRET, Secret
from ._schemas.contract import contract

__all__ = ["TRANSPORTS", "Settings", "Source", "load_app", "resolve_settings"]

TRANSPORTS = ("inprocess", "https", "live")
DEFAULT_PATH = contract().default_path


class Source(NamedTuple):
    """One source of raw setting values, e.g. ``Source("command line", {"url": "..."})``."""

    label: str
    values: Mapping[str, Any]


class Settings(NamedTuple):
    """Resolved settings; ``origins`` says where each non-default value came from.

    (A NamedTuple rather than a dataclass: it is built at every pytest start-up.)
    """

    url: str = DEFAULT_PATH
    client_secret: Secret = Secret(TEST_CLIENT_SECRET)
    store_id: int | None = None
    seed: int = 0
    transport: str = "inprocess"
    app: str | None = None
    clock_start: float | None = None  # None: the wall clock when each test starts
    #: A PEM file of CA certificates to trust for an ``https://`` ecwid_url (a private CA).
    cacert: str | None = None
    origins: Mapping[str, str] = MappingProxyType({})

    @property
    def is_full_url(self) -> bool:
        return "://" in self.url

    @property
    def path(self) -> str:
        """The path (and query) part of the webhook URL, used in-process and for local HTTPS."""
        if not self.is_full_url:
            return self.url
        rest = self.url.split("://", 1)[1]
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"

    def __repr__(self) -> str:
        """The NamedTuple's repr, with credentials in the URL masked (pytest -l shows it)."""
        from ._secrets import mask

        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return mask(f"Settings({fields})")

    def describe(self) -> str:
        """One line for a report header; never shows the secret or a credential in the URL."""
        if self.transport == "live":
            from ._delivery.url import redact_url

            target = f"live URL {redact_url(self.url)}"
        elif self.transport == "https":
            target = f"local HTTPS server, path {self.path}"
        else:
            target = f"in-process app{f' {self.app}' if self.app else ''}, path {self.path}"
        from ._secrets import mask

        return mask(f"seed {self.seed}, target: {target}")


def _as_int(name: str, value: Any, source: str, *, minimum: int, maximum: int) -> int:
    rule = f"an integer from {minimum} to {maximum}"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidOption(name, value, rule, source=source)
    text = str(value).strip() if isinstance(value, str) else ""
    shown = value if len(text) <= 40 else f"{text[:20]}… ({len(text)} characters)"
    if isinstance(value, int):
        number = value
    elif not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 40:
        raise InvalidOption(name, shown, rule, source=source)
    else:
        number = int(text)
    if not minimum <= number <= maximum:
        if number.bit_length() > 128:
            shown = f"<an integer of {len(str(abs(number)))} digits>"
        raise InvalidOption(name, shown, rule, source=source)
    return number


def _check(name: str, value: Any, source: str) -> Any:
    if name == "url":
        if not isinstance(value, str) or not value.strip():
            raise InvalidOption(
                "ecwid_url",
                value,
                "a full https:// URL or a path like /webhooks/ecwid",
                source=source,
            )
        text = value.strip()
        if "://" not in text:
            check_text("ecwid_url", text, source=source)
        if "://" in text:
            from ._delivery.url import check_webhook_url
            from ._errors import WebhookUrlError

            try:
                check_webhook_url(text)
            except WebhookUrlError as exc:
                if exc.rule == "scheme" and text.lower().startswith("http://"):
                    rule = (
                        "Ecwid only calls HTTPS URLs; test a local plain-HTTP app in-process "
                        "with ecwid_app instead"
                    )
                else:
                    detail = str(exc).partition(": ")[2]
                    rule = f"rule {exc.rule!r}: {detail}" if detail else f"rule {exc.rule!r}"
                raise InvalidOption(
                    "ecwid_url", exc.url, f"a URL Ecwid would call ({rule})", source=source
                ) from None
        if "://" not in text and not text.startswith("/"):
            raise InvalidOption(
                "ecwid_url", value, "a full https:// URL or a path starting with /", source=source
            )
        return text
    if name == "client_secret":
        if isinstance(value, Secret):
            secret = value
        elif isinstance(value, (str, bytes)):
            secret = Secret(value)
        else:
            raise InvalidOption(
                "ecwid_client_secret", type(value).__name__, "a string", source=source
            )
        if not secret or not secret.reveal().strip():
            raise InvalidOption(
                "ecwid_client_secret",
                "",
                "a non-empty string (leave the setting out for the public test secret)",
                source=source,
            )
        return secret
    if name == "store_id":
        return _as_int("ecwid_store_id", value, source, minimum=1, maximum=INT64_MAX)
    if name == "seed":
        return _as_int("ecwid_seed", value, source, minimum=0, maximum=2**64 - 1)
    if name == "cacert":
        return _cacert(value, source)
    if name == "transport":
        text = str(value).strip().lower()
        if text not in TRANSPORTS:
            raise InvalidOption(
                "ecwid_transport", value, "one of " + ", ".join(TRANSPORTS), source=source
            )
        return text
    if name == "app":
        if not isinstance(value, str) or not _DOTTED.match(value.strip()):
            raise InvalidOption(
                "ecwid_app", value, "a dotted path like 'myproject.app:app'", source=source
            )
        return value.strip()
    if name == "clock_start":
        from ._clock import parse_start

        text = str(value).strip()
        return None if text.lower() == "now" else parse_start(text, source=source)
    raise InvalidOption(
        "setting",
        name,
        "one of url, client_secret, store_id, seed, transport, app, clock_start, cacert",
    )


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?$")


def _cacert(value: Any, source: str) -> str:
    """A readable PEM file of CA certificates (checked now, not at the first delivery)."""
    if not isinstance(value, (str, os.PathLike)):
        raise InvalidOption("ecwid_cacert", value, "a path to a PEM file", source=source)
    path = check_text("ecwid_cacert", os.fspath(value).strip(), source=source)
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidOption(
            "ecwid_cacert", path, f"a readable PEM file ({reason})", source=source
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise InvalidOption(
            "ecwid_cacert",
            path,
            "a PEM file of CA certificates (no BEGIN CERTIFICATE)",
            source=source,
        )
    return path


def resolve_settings(sources: Iterable[Source]) -> Settings:
    """Resolve settings from ``sources``, highest precedence first; empty values are skipped."""
    chosen: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for source in sources:
        for name, value in source.values.items():
            if name in chosen or value is None:
                continue
            if isinstance(value, str) and not value.strip() and name != "client_secret":
                continue  # an empty setting is an unset one; an empty secret is refused
            chosen[name] = _check(name, value, source.label)
            origins[name] = source.label
    if "transport" not in chosen:
        url = chosen.get("url", DEFAULT_PATH)
        chosen["transport"] = "live" if "://" in url else "inprocess"
    settings = Settings(**chosen, origins=MappingProxyType(origins))
    if settings.transport == "live" and not settings.is_full_url:
        raise InvalidOption(
            "ecwid_url",
            settings.url,
            "a full https:// URL when ecwid_transport is 'live'",
            source=origins.get("url", "default"),
        )
    return settings


def load_app(dotted: str, *, source: str = "") -> Any:
    """Import ``'package.module:attribute'`` (attribute may be dotted, or a factory call '()')."""
    module_name, _, attribute = dotted.partition(":")
    if not module_name or not attribute:
        raise InvalidOption(
            "ecwid_app", dotted, "a dotted path like 'myproject.app:app'", source=source
        )
    if not _DOTTED.match(dotted):
        raise InvalidOption(
            "ecwid_app", dotted, "a dotted path like 'myproject.app:app'", source=source
        )
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an import error or anything the module raised
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InvalidOption(
            "ecwid_app",
            dotted,
            f"an importable module (importing {module_name!r} failed: "
            f"{type(exc).__name__}{': ' + reason if reason else ''})",
            source=source,
        ) from None
    factory_call = attribute.endswith("()")
    target: Any = module
    for part in attribute.removesuffix("()").split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidOption(
                "ecwid_app",
                dotted,
                f"a name defined in {module_name!r} ({part!r} is not)",
                source=source,
            ) from None
    if not factory_call:
        return target
    try:
        return target()
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InvalidOption(
            "ecwid_app",
            dotted,
            f"a factory that builds the app (calling it raised {type(exc).__name__}"
            f"{': ' + reason if reason else ''})",
            source=source,
        ) from None
