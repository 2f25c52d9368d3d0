"""One answer to "is this an ASGI or a WSGI app?", used by every transport and server.

ASGI: an async callable of (scope, receive, send). WSGI: a callable of (environ,
start_response). Anything else, such as an app factory given in place of the app it
makes, is refused with a line that says what was found.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

from .._errors import InvalidOption

__all__ = ["AppKind", "app_kind", "describe_app"]

AppKind = Literal["auto", "asgi", "wsgi"]


def describe_app(app: object) -> str:
    """``module:name`` of an app, or its type, for messages."""
    name = getattr(app, "__qualname__", None) or type(app).__qualname__
    module = getattr(app, "__module__", None) or type(app).__module__
    return f"{module}:{name}"


def app_kind(app: object, kind: str = "auto", *, source: str = "app=") -> Literal["asgi", "wsgi"]:
    """``kind`` if given, else what ``app`` is; an :class:`InvalidOption` if neither."""
    if kind in ("asgi", "wsgi"):
        return kind  # type: ignore[return-value]
    if kind != "auto":
        raise InvalidOption("app kind", kind, "'auto', 'asgi' or 'wsgi'", source=source)
    if not callable(app):
        raise InvalidOption("app", app, "an ASGI or WSGI application (a callable)", source=source)
    detected = _detect(app)
    if detected is not None:
        return detected
    hint = (
        " It takes no arguments: is it a factory? Pass the app it returns (e.g. create_app())."
        if _positional_count(app) == 0
        else ""
    )
    raise InvalidOption(
        "app",
        describe_app(app),
        "an ASGI app (async, 3 arguments) or a WSGI app (2 arguments); say which with "
        f"app_kind='asgi' or 'wsgi' if it is one.{hint}",
        source=source,
    )


def _detect(app: Callable[..., Any]) -> Literal["asgi", "wsgi"] | None:
    if inspect.isclass(app):
        return None  # an ASGI 2 class or a mistake: the caller must say which
    call = app if inspect.isroutine(app) else getattr(app, "__call__", app)  # noqa: B004
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return "asgi"
    count = _positional_count(app)
    if count == 2:
        return "wsgi"
    if count == 3:
        return "asgi"
    return None


def _positional_count(app: Callable[..., Any]) -> int | None:
    """Required positional parameters; ``None`` when unknown or variadic."""
    try:
        parameters = list(inspect.signature(app).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(
        1
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )
