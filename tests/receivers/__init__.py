"""Small Ecwid webhook receivers for the conformance tests.

Correct ones (the base, and patterns the suite must not misjudge: answering first, validating
first, checking the store id, serving two apps, processing later), and the rest each with
exactly one planted defect (a subclass of :class:`~tests.receivers._base.Receiver` that
overrides one method). Each module has ``app`` (an ASGI app) and ``observe`` (its side
effects per eventId), so ``ecwid-mock check --app tests.receivers.correct:app`` works too.
"""
