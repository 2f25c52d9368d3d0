"""The pure arithmetic of load runs: Ecwid's retry schedule on a compressed clock, the backlog
after an outage, and the ledger of a run. No I/O and no Locust: ``ecwid_mock.locust`` wires
these to Locust's users, shapes and events, and the tests check them without Locust.
"""
