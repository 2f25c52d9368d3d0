"""Packed records: the same dicts back, one live dict per record, searches that read in place."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from ecwid_mock import EcwidStore
from ecwid_mock._store.packed import PackedView, Shelf, pack, unpack
from ecwid_mock._store.state import StoreState

NASTY: list[dict[str, Any]] = [
    {},
    {"a": 1, "b": 1.0, "c": True, "d": None, "e": "x", "f": ""},
    {"empty": {}, "none": [], "deep": {"list": [{"x": [1, [2, {}]]}, "s", 3]}},
    {"leaf": (1, 2), "obj": frozenset({1}), "bytes": b"\x00"},  # kept as they are
    {"names": {"en": "Chair", "de": "Stuhl"}, "same": {"en": "Chair", "de": "Stuhl"}},
    {"ints": [1, 2], "bools": [True, False], "floats": [1.0, 2.0]},  # equal, not the same
]


def _types(node: Any) -> Any:
    """A value's shape with the type of every leaf, so ``1`` and ``True`` differ."""
    if isinstance(node, dict):
        return {k: _types(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_types(v) for v in node]
    return type(node).__name__


@pytest.mark.parametrize("record", NASTY, ids=range(len(NASTY)))
def test_unpacking_gives_the_record_back_with_its_types_and_key_order(
    record: dict[str, Any],
) -> None:
    for _ in range(2):  # the second time through shapes already known
        back = unpack(pack(record))
        assert back == record
        assert list(back) == list(record)
        assert _types(back) == _types(record)
    same = {"ints": [True, False], "bools": [1, 0], "floats": [1, 2]}
    assert _types(unpack(pack(same))) == _types(same)  # 1 == True, yet not the same


def test_every_unpack_is_a_new_dict_down_to_the_nested_parts() -> None:
    packed = pack(NASTY[4])
    one, two = unpack(packed), unpack(packed)
    one["names"]["en"] = "Sofa"
    assert two["names"]["en"] == "Chair"
    assert one["same"]["en"] == "Chair"


def test_a_view_reads_a_packed_record_in_place() -> None:
    record = NASTY[2] | {"id": 7}
    view = PackedView(pack(record))
    assert view["id"] == 7
    assert view.get("nope", "-") == "-"
    assert "deep" in view
    assert dict(view) == record
    assert len(view) == len(record)
    with pytest.raises(KeyError):
        view["nope"]


def test_a_shelf_unpacks_for_good_once_and_edits_in_place() -> None:
    shelf = Shelf()
    shelf["k"] = {"n": 1, "stats": {"count": 0}, "tags": ["a"]}
    shelf.pack(["k"])
    assert type(dict.__getitem__(shelf, "k")) is tuple

    def count(record: dict[str, Any], by: int) -> None:
        record["n"] += by
        record["stats"]["count"] += by

    shelf.edit("k", count, 2, fields=("stats",))
    assert type(dict.__getitem__(shelf, "k")) is tuple  # still packed
    shelf.edit("k", lambda record: record.update(n=record["n"] - 1), fields=("n",))  # a leaf
    shelf.edit("k", lambda record: record.update(n=record["n"] + 1))
    shelf.edit("k", lambda record: record.update(tags={"now": "a dict"}))  # reshaped
    first = shelf["k"]
    assert first == {"n": 3, "stats": {"count": 2}, "tags": {"now": "a dict"}}
    assert shelf["k"] is first


def test_threads_reading_a_packed_record_first_get_the_same_dict() -> None:
    shelf = Shelf()
    shelf["k"] = {"items": [{"n": n} for n in range(50)]}
    shelf.pack(["k"])
    barrier, seen = threading.Barrier(4), []

    def read() -> None:
        barrier.wait()
        seen.append(shelf["k"])

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(record) for record in seen}) == 1


def test_seeded_records_are_packed_and_each_read_gives_the_one_live_dict() -> None:
    state = StoreState(seed=4).seed(orders=20)
    key = next(iter(state.orders))
    assert type(dict.__getitem__(state.orders._items, key)) is tuple
    order = state.orders[key]
    order["items"][0]["name"] = "Changed"
    assert state.orders[key] is order
    assert state.orders.get(key) is order
    assert state.orders[order["internalId"]] is order
    assert state.orders[str(order["internalId"])] is order


def test_orders_of_one_buyer_share_no_dict_once_unpacked() -> None:
    state = StoreState(seed=4).seed(orders=60, customers=2)
    mine = [o for o in state.orders.values() if o.get("customerId") == next(iter(state.customers))]
    assert len(mine) >= 2
    mine[0]["billingPerson"]["city"] = "Elsewhere"
    assert mine[1]["billingPerson"]["city"] != "Elsewhere"
    assert mine[0]["shippingPerson"]["city"] != "Elsewhere"
    customer = state.customers[mine[1]["customerId"]]
    assert customer["billingPerson"]["city"] != "Elsewhere"


def test_buyers_order_sums_match_their_orders_across_seeds() -> None:
    state = StoreState(seed=6).seed(customers=5)
    state.seed(orders=40)
    state.seed(orders=25, customers=2)
    for customer in state.customers.values():
        mine = [o for o in state.orders.values() if o.get("customerId") == customer["id"]]
        stats = customer["stats"]
        assert customer["totalOrderCount"] == stats["numberOfOrders"] == len(mine)
        if mine:
            assert stats["salesValue"] == pytest.approx(sum(o["total"] for o in mine))
            assert stats["firstOrderDate"] == min(o["createDate"] for o in mine)
            assert stats["lastOrderDate"] == max(o["createDate"] for o in mine)


def _answers(store: EcwidStore, paths: list[str]) -> list[bytes]:
    auth = {"Authorization": f"Bearer {store.token}"}
    with httpx.Client(transport=store.transport(), base_url=store.base_url, headers=auth) as http:
        return [http.get(path).content for path in paths]


def test_searches_answer_the_same_from_packed_and_unpacked_records() -> None:
    packed, plain = (EcwidStore(seed=8).seed(orders=80, reviews=5) for _ in range(2))
    for records in plain.state.families.values():
        for key in records:
            records[key]
    paths = [
        "/orders?limit=100",
        "/orders?sortBy=ADDED_TIME_DESC&limit=7&offset=3",
        "/orders?paymentStatus=PAID,AWAITING_PAYMENT&totalFrom=20",
        f"/orders?productId={next(iter(packed.products))}",
        "/orders?keywords=a&responseFields=total,items(id,email)",
        "/orders/last",
        "/customers?minOrderCount=1&sortBy=NAME_ASC",
        "/latest-stats",
    ]
    assert _answers(packed, paths) == _answers(plain, paths)
    orders = packed.state.orders._items
    assert all(type(dict.__getitem__(orders, k)) is tuple for k in orders)  # still packed


def test_packed_records_are_saved_and_come_back_the_same(tmp_path: Any) -> None:
    from ecwid_mock._clock import VirtualClock
    from ecwid_mock._store.persist import open_store

    options: dict[str, Any] = {"seed": 3, "store_id": None, "scopes": None}
    path = tmp_path / "store.db"
    state, db = open_store(path, clock=VirtualClock(), seeding={"orders": 5}, **options)
    gone, kept = list(state.orders)[:2]
    expected = json.dumps(state.orders[kept])
    state.delete("orders", gone)
    db.close()
    again, db = open_store(path, clock=VirtualClock(), seeding={}, **options)
    db.close()
    assert gone not in again.orders
    assert len(again.orders) == 4
    assert json.dumps(again.orders[kept]) == expected
