"""pytest-ecwid: the pytest plugin of ecwid-mock (fixtures and hooks only)."""
