"""Keep a store's state in SQLite (stdlib ``sqlite3``), written through on every change.

The file holds the store's seed, id and order affixes, every record, the ``deleted`` logs, the
profile and each app's storage. It never holds a token: tokens come back from the seed, so
the same file gives the same token (and no secret is written to disk).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .._clock import Clock
from .._errors import InvalidOption
from .changes import Change
from .state import StoreState

__all__ = ["open_store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    family TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, indexed_at REAL NOT NULL,
    PRIMARY KEY (family, key)
);
CREATE TABLE IF NOT EXISTS deleted (family TEXT NOT NULL, body TEXT NOT NULL);
"""


# Writes that change records beside the one their webhook names: that family is saved whole.
_ALSO = {
    "carts.place": "carts",
    "categories.assignProducts": "products",
    "categories.unassignProducts": "products",
}


class _Writer:
    """Writes each change's record (or its removal) to the file, one transaction a change."""

    def __init__(self, state: StoreState, db: sqlite3.Connection) -> None:
        self.state = state
        self.db = db

    def __call__(self, change: Change) -> None:
        with self.db:
            self._family_of(change)
            also = _ALSO.get(change.endpoint)
            if also is not None:
                records = self.state.families[also]
                for key, record in records.plain_items():
                    self._put_record(also, key, record, records._indexed_at.get(key, 0.0))
            self._put_meta("profile", self.state.profile)
            self._put_meta("storage", {app.name: app.storage for app in self.state.apps.values()})

    def _family_of(self, change: Change) -> None:
        for name, records in self.state.families.items():
            if records.family.entity != change.entity:
                continue
            key = change.key
            record = records.get(key)
            if record is None:
                self.db.execute("DELETE FROM records WHERE family=? AND key=?", (name, _key(key)))
                self.db.execute("DELETE FROM deleted WHERE family=?", (name,))
                self.db.executemany(
                    "INSERT INTO deleted VALUES (?, ?)",
                    [(name, json.dumps(e)) for e in records.deleted],
                )
            else:
                self._put_record(name, key, record, records._indexed_at.get(key, 0.0))

    def _put_record(self, family: str, key: Any, record: dict[str, Any], indexed_at: float) -> None:
        self.db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT (family, key) "
            "DO UPDATE SET body = excluded.body, indexed_at = excluded.indexed_at",  # keeps rowid
            (family, _key(key), json.dumps(record), indexed_at),
        )

    def _put_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def snapshot(self) -> None:
        with self.db:
            for name, records in self.state.families.items():
                for key, record in records.plain_items():
                    self._put_record(name, key, record, records._indexed_at.get(key, 0.0))
            for key, value in (
                ("seed", self.state.seed_value),
                ("store_id", self.state.store_id),
                ("order_prefix", self.state.order_prefix),
                ("order_suffix", self.state.order_suffix),
                ("profile", self.state.profile),
                ("storage", {app.name: app.storage for app in self.state.apps.values()}),
            ):
                self._put_meta(key, value)


def _key(key: Any) -> str:
    return json.dumps(key)


def open_store(
    path: str | Path,
    *,
    seed: int,
    store_id: int | None,
    clock: Clock,
    scopes: list[str] | None,
    seeding: dict[str, int],
    source: str = "data file",
) -> tuple[StoreState, sqlite3.Connection]:
    """The store kept in ``path``: loaded if the file has one, else seeded and saved there.

    Returns the state (writing every change through to the file) and the open connection.
    """
    try:
        db = sqlite3.connect(str(path), check_same_thread=False)
        db.executescript(_SCHEMA)
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    except sqlite3.DatabaseError as exc:
        raise InvalidOption(source, str(path), f"an ecwid-mock SQLite file ({exc})") from None
    if meta:
        state = StoreState(
            seed=int(meta["seed"]),
            store_id=int(meta["store_id"]),
            clock=clock,
            scopes=scopes,
            order_prefix=str(meta["order_prefix"]),
            order_suffix=str(meta["order_suffix"]),
        )
        _load(state, db, meta)
    else:
        state = StoreState(seed=seed, store_id=store_id, clock=clock, scopes=scopes).seed(**seeding)
    writer = _Writer(state, db)
    if not meta:
        writer.snapshot()
    state.add_listener(writer)
    return state, db


def _load(state: StoreState, db: sqlite3.Connection, meta: dict[str, Any]) -> None:
    state._profile = meta["profile"]
    for app in state.apps.values():
        app.storage.update(meta.get("storage", {}).get(app.name, {}))
    for family, key_text, body, indexed_at in db.execute("SELECT * FROM records ORDER BY rowid"):
        record = json.loads(body)
        if family == "orders":
            state._put_order(record, indexed_at=indexed_at)
        else:
            aliases = [record["code"]] if family == "coupons" and "code" in record else []
            state.families[family]._put(
                json.loads(key_text), record, indexed_at=indexed_at, aliases=aliases
            )
    for family, body in db.execute("SELECT family, body FROM deleted ORDER BY rowid"):
        state.families[family].deleted.append(json.loads(body))
