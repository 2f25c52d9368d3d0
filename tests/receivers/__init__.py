"""Small Ecwid webhook receivers for the conformance tests: one correct, the rest each with
exactly one planted defect (a subclass of :class:`~tests.receivers._base.Receiver` that
overrides one method). Each module has ``app`` (an ASGI app) and ``observe`` (its side
effects per eventId), so ``ecwid-mock check --app tests.receivers.correct:app`` works too.
"""
