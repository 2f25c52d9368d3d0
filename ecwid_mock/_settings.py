"""Settings of a test run, resolved from several sources with a record of where each came from.

The pytest plugin (and the CLI) hand raw values over, source by source, highest precedence
first: marker > command line > environment > ini file. A bad value is reported with its source,
for example ``invalid ecwid_transport 'htps' (from ini file pytest.ini): must be one of ...``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

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

    def describe(self) -> str:
        """One line for a report header; never shows the secret."""
        target = {
            "inprocess": f"in-process app{f' {self.app}' if self.app else ''}, path {self.path}",
            "https": f"local HTTPS server, path {self.path}",
            "live": f"live URL {self.url}",
        }[self.transport]
        return f"seed {self.seed}, target: {target}"


def _as_int(name: str, value: Any, source: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise InvalidOption(name, value, "an integer", source=source)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidOption(name, value, "an integer", source=source) from None
    if minimum is not None and number < minimum:
        raise InvalidOption(name, value, f"an integer >= {minimum}", source=source)
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
        if "://" in text:
            from ._delivery.url import check_webhook_url, redact_url
            from ._errors import WebhookUrlError

            try:
                check_webhook_url(text)
            except WebhookUrlError as exc:
                rule = str(exc).partition(": ")[2] or exc.rule
                raise InvalidOption(
                    "ecwid_url", redact_url(text), f"a URL Ecwid would call ({rule})", source=source
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
        if not secret:
            raise InvalidOption("ecwid_client_secret", "", "a non-empty string", source=source)
        return secret
    if name == "store_id":
        return _as_int("ecwid_store_id", value, source, minimum=1)
    if name == "seed":
        return _as_int("ecwid_seed", value, source, minimum=0)
    if name == "transport":
        text = str(value).strip().lower()
        if text not in TRANSPORTS:
            raise InvalidOption(
                "ecwid_transport", value, "one of " + ", ".join(TRANSPORTS), source=source
            )
        return text
    if name == "app":
        if not isinstance(value, str) or ":" not in value:
            raise InvalidOption(
                "ecwid_app", value, "a dotted path like 'myproject.app:app'", source=source
            )
        return value.strip()
    if name == "clock_start":
        from ._clock import parse_start

        text = str(value).strip()
        return None if text.lower() == "now" else parse_start(text, source=source)
    raise InvalidOption(
        "setting", name, "one of url, client_secret, store_id, seed, transport, app, clock_start"
    )


def resolve_settings(sources: Iterable[Source]) -> Settings:
    """Resolve settings from ``sources``, highest precedence first; empty values are skipped."""
    chosen: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for source in sources:
        for name, value in source.values.items():
            if name in chosen or value is None or value == "":
                continue
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
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidOption(
            "ecwid_app",
            dotted,
            f"an importable module (importing {module_name!r} failed: {exc})",
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
    return target() if factory_call else target
