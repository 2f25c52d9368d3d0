"""Fixtures and hooks of the ecwid plugin (built in a later step)."""
