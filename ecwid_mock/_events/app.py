"""``EcwidApp``: one Ecwid application as a receiver sees it.

Ecwid lets several applications register the same webhook URL. Each app has its own client
secret (its events are signed with it), its own custom headers (set in the app's settings and
sent with every webhook) and its own subscribed events. A receiver serving several apps at
one URL tells them apart by a custom header, then verifies with that app's secret::

    shipping = EcwidApp(client_secret="...", name="shipping",
                        custom_headers={"X-Ecwid-App": "shipping"}, events=["order.*"])
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._errors import InvalidOption
from .signing import Secret

__all__ = ["EcwidApp", "load_apps"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class EcwidApp:
    """One app: ``client_secret`` (str, bytes or :class:`Secret`), a ``name`` for reports,
    ``custom_headers`` sent with each of its webhooks, and ``events``, the types it
    subscribes to (names or patterns such as ``"order.*"``; default: every documented one).
    The secret never shows in a repr; header values neither (they may be tokens)."""

    __slots__ = ("client_secret", "custom_headers", "events", "name")

    def __init__(
        self,
        *,
        client_secret: str | bytes | Secret,
        name: str = "app",
        custom_headers: Mapping[str, str | Secret] | None = None,
        events: Iterable[str] | str | None = None,
    ) -> None:
        source = f"EcwidApp({name!r})" if isinstance(name, str) else "EcwidApp"
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidOption(
                "name", name, "letters, digits, '.', '_' or '-' (up to 64)", source="EcwidApp"
            )
        if not isinstance(client_secret, (str, bytes, Secret)):
            shown = f"<{type(client_secret).__name__}>"  # never the value
            raise InvalidOption("client_secret", shown, "a str, bytes or Secret", source=source)
        if not client_secret:
            raise InvalidOption("client_secret", "", "a non-empty secret", source=source)
        if custom_headers is not None and not isinstance(custom_headers, Mapping):
            raise InvalidOption(
                "custom_headers",
                f"<{type(custom_headers).__name__}>",
                "a mapping of header name to value",
                source=source,
            )
        self.name: str = name
        self.client_secret: Secret = Secret(client_secret)
        self.custom_headers: Mapping[str, str | Secret] = dict(custom_headers or {})
        from .._schemas.catalog import select_event_types

        self.events: tuple[str, ...] = select_event_types(events, source=source, name="events")

    def subscribes(self, event_type: str) -> bool:
        """True when Ecwid sends ``event_type`` to this app."""
        return event_type in self.events

    def __repr__(self) -> str:
        headers = ", ".join(self.custom_headers) or "none"
        return (
            f"EcwidApp(name={self.name!r}, client_secret={self.client_secret!r}, "
            f"custom headers: {headers}, {len(self.events)} event types)"
        )


def load_apps(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> list[EcwidApp]:
    """Apps from a JSON file: a list of objects with ``name``, ``client_secret_env`` (the
    environment variable holding the secret; or ``client_secret``, kept out of files you
    share), ``custom_headers`` and ``events``."""
    environ = os.environ if environ is None else environ
    where = str(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidOption("apps file", where, f"a readable file ({exc.strerror})") from None
    except ValueError as exc:
        raise InvalidOption("apps file", where, f"JSON ({exc})") from None
    if not isinstance(data, list) or not data:
        raise InvalidOption("apps file", where, "a JSON list of apps (objects)")
    apps = []
    for index, entry in enumerate(data):
        at = f"{where}, app {index + 1}"
        if not isinstance(entry, dict):
            raise InvalidOption("app", type(entry).__name__, "a JSON object", source=at)
        unknown = sorted(
            set(entry) - {"name", "client_secret", "client_secret_env", "custom_headers", "events"}
        )
        if unknown:
            raise InvalidOption(
                "app key",
                unknown[0],
                "one of name, client_secret_env, client_secret, custom_headers, events",
                source=at,
            )
        secret = entry.get("client_secret")
        variable = entry.get("client_secret_env")
        if variable is not None:
            secret = environ.get(str(variable))
            if not secret:
                raise InvalidOption(
                    "client_secret_env", variable, "a set environment variable", source=at
                )
        if secret is None:
            raise InvalidOption(
                "app", "no secret", "given by client_secret_env (or client_secret)", source=at
            )
        apps.append(
            EcwidApp(
                client_secret=secret,
                name=entry.get("name", f"app{index + 1}"),
                custom_headers=entry.get("custom_headers"),
                events=entry.get("events"),
            )
        )
    names = [app.name for app in apps]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InvalidOption("app name", duplicated[0], "unique in the file", source=where)
    return apps
