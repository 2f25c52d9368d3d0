"""Record builders, one module per entity family: realistic, self-consistent Ecwid REST records.

Every builder takes the seeding :class:`~ecwid_mock._store.records.pools.Pools` (a seeded
``random.Random`` and name pools drawn once from Faker) and returns a plain ``dict`` in Ecwid's
REST format: dates as ``"yyyy-MM-dd HH:mm:ss +0000"`` beside integer ``*Timestamp`` fields, money
as JSON numbers, and absent (never ``None``) fields where Ecwid leaves them out.
"""
