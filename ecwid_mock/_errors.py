"""The one exception hierarchy of ecwid-mock.

Every error the library raises on purpose derives from :class:`EcwidMockError`,
so ``except ecwid_mock.EcwidMockError`` catches all of them::

    EcwidMockError
    ├── UnknownEventType        (also ValueError)  an event type that Ecwid does not send
    ├── InvalidEvent            (also ValueError)  a payload that breaks its schema
    ├── InvalidOverride         (also ValueError)  a factory override that would break the schema
    ├── InvalidOption           (also ValueError)  a bad argument or setting, with its source
    ├── WebhookUrlError         (also ValueError)  a webhook URL that Ecwid would refuse to call
    ├── ScrubError              (also ValueError)  a capture that cannot be made safe to keep
    ├── DeliveryAssertionError  (also AssertionError) a test assertion about deliveries failed
    └── StoreAssertionError     (also AssertionError) a test assertion about REST calls failed

Messages name the bad value, the rule it breaks and, where known, where it came
from. They never contain a client secret or an access token.
"""

from __future__ import annotations

# No typing at run time: the command line's start (``ecwid-mock --help``) imports this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._schemas.problem import Problem

__all__ = [
    "DeliveryAssertionError",
    "EcwidMockError",
    "InvalidEvent",
    "InvalidOption",
    "InvalidOverride",
    "ScrubError",
    "StoreAssertionError",
    "UnknownEventType",
    "WebhookUrlError",
]


class EcwidMockError(Exception):
    """Base class of every error raised by ecwid-mock; its text never shows a secret."""

    def __str__(self) -> str:
        from ._secrets import mask

        return mask(super().__str__())


class UnknownEventType(EcwidMockError, ValueError):
    """An event type that is not in the catalogue; the message names the closest known ones."""

    def __init__(self, event_type: object, suggestions: Sequence[str] = ()) -> None:
        self.event_type = event_type
        self.suggestions = tuple(suggestions)
        hint = (
            f"; did you mean {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else "; run `ecwid-mock events` for the list"
        )
        super().__init__(f"unknown Ecwid event type {event_type!r}{hint}")


class InvalidEvent(EcwidMockError, ValueError):
    """A webhook payload that does not match its schema; ``problems`` lists every violation."""

    def __init__(
        self, problems: Sequence[Problem], *, event_type: str | None = None, source: str = ""
    ) -> None:
        self.problems = tuple(problems)
        self.event_type = event_type
        self.source = source
        what = f"{event_type} event" if event_type else "event"
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        plural = "s" if count != 1 else ""
        super().__init__(f"invalid {what}{where}: {count} problem{plural}\n{lines}")


class InvalidOverride(EcwidMockError, ValueError):
    """A factory override whose path or value does not fit the event's schema."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"override {path!r}: {message}")


class InvalidOption(EcwidMockError, ValueError):
    """A bad option value: says the value, what is allowed and where it came from."""

    def __init__(self, name: str, value: object, allowed: str, *, source: str = "") -> None:
        self.name = name
        self.value = value
        self.source = source
        where = f" (from {source})" if source else ""
        super().__init__(f"invalid {name} {value!r}{where}: must be {allowed}")


class WebhookUrlError(EcwidMockError, ValueError):
    """A webhook URL that breaks one of Ecwid's URL rules (checked before any traffic)."""

    def __init__(self, url: str, rule: str, message: str) -> None:
        self.url = url
        self.rule = rule
        super().__init__(f"webhook URL {url!r} breaks rule {rule!r}: {message}")


class ScrubError(EcwidMockError, ValueError):
    """A capture the scrubber refuses to keep (fail closed); names fields, never their values."""

    def __init__(self, message: str, *, fields: Sequence[str] = ()) -> None:
        self.fields = tuple(fields)
        super().__init__(message)


class DeliveryAssertionError(EcwidMockError, AssertionError):
    """An assertion about deliveries failed; the message lists what actually happened."""


class StoreAssertionError(EcwidMockError, AssertionError):
    """A test's assertion about the REST calls made to the mock store failed."""
