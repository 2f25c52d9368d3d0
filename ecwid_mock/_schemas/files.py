"""Where ``schemas/`` is, and its files read once: the floor every schema reader stands on.

Kept free of heavy imports: the plugin's start-up reads the delivery contract through it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["load", "schema_root"]


@functools.cache
def schema_root() -> Path:
    """The schema files: inside the installed package, or in the source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(  # pragma: no cover - a broken installation
        "ecwid-mock cannot find its schemas/ folder; reinstall the package"
    )


@functools.cache
def load(relpath: str) -> Any:
    """One schema file by its path relative to ``schemas/``, e.g. ``envelope.schema.json``."""
    return json.loads((schema_root() / relpath).read_text(encoding="utf-8"))
