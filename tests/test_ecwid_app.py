"""EcwidApp and MockEcwid.as_app: several apps at one webhook URL, each with its secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecwid_mock import EcwidApp, EventFactory, InvalidOption, MockEcwid, VirtualClock
from ecwid_mock._clock import now_start
from ecwid_mock._events.app import load_apps
from tests.receivers.two_apps import APPS, SECRETS, TwoApps


@pytest.fixture
def receiver() -> TwoApps:
    return TwoApps()


@pytest.fixture
def ecwid(receiver: TwoApps) -> MockEcwid:
    clock = VirtualClock(now_start())  # the receiver refuses events older than 25 hours
    factory = EventFactory(seed=3, client_secret=SECRETS["shipping"], clock=clock)
    return MockEcwid.for_app(receiver, factory=factory, clock=clock)


def test_each_app_signs_with_its_secret_and_sends_its_headers(
    ecwid: MockEcwid, receiver: TwoApps
) -> None:
    shipping, loyalty = (ecwid.as_app(app) for app in APPS)
    shipping.send("order.created").assert_delivered()
    loyalty.send("order.created").assert_delivered()
    assert [d.event.event_id for d in ecwid.deliveries] == list(receiver.effects)
    headers = [dict(d.request_headers) for d in ecwid.deliveries]
    assert [h["X-Ecwid-App"] for h in headers] == ["shipping", "loyalty"]
    assert shipping.factory.store_id == loyalty.factory.store_id == ecwid.factory.store_id
    ecwid.close()


def test_an_event_signed_for_another_app_is_refused(ecwid: MockEcwid) -> None:
    shipping, loyalty = (ecwid.as_app(app) for app in APPS)
    foreign = loyalty.build("order.created")
    shipping.send(foreign).assert_rejected()
    ecwid.close()


def test_an_app_gets_only_the_events_it_subscribes_to(ecwid: MockEcwid) -> None:
    orders = ecwid.as_app(
        EcwidApp(client_secret=SECRETS["shipping"], name="shipping", events="order.*")
    )
    with pytest.raises(InvalidOption, match="one that app 'shipping' subscribes to"):
        orders.send("product.created")
    ecwid.close()


def test_secrets_and_header_values_never_show() -> None:
    app = EcwidApp(
        client_secret="s3cr3t-value", name="a", custom_headers={"X-Token": "tok-value-1"}
    )
    assert "s3cr3t-value" not in repr(app)
    assert "tok-value-1" not in repr(app)
    assert "X-Token" in repr(app)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"client_secret": ""}, "a non-empty secret"),
        ({"client_secret": 12}, "invalid client_secret '<int>'"),
        ({"client_secret": "s", "name": "has space"}, "invalid name 'has space'"),
        ({"client_secret": "s", "events": "nothing.*"}, "invalid event type pattern"),
    ],
)
def test_bad_apps_are_refused_in_one_line(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidOption, match=message):
        EcwidApp(**options)  # type: ignore[arg-type]


def test_load_apps_reads_secrets_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "apps.json"
    path.write_text(
        json.dumps(
            [
                {"name": "a", "client_secret_env": "A_SECRET", "events": ["order.*"]},
                {"name": "b", "client_secret": "literal", "custom_headers": {"X-App": "b"}},
            ]
        )
    )
    first, second = load_apps(path, environ={"A_SECRET": "from-env"})
    assert first.client_secret.reveal() == b"from-env"
    assert set(first.events) == {"order.created", "order.updated", "order.deleted"}
    assert dict(second.custom_headers) == {"X-App": "b"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "must be JSON"),
        ("[]", "a JSON list of apps"),
        ('[{"name": "a"}]', "client_secret_env (or client_secret)"),
        ('[{"name": "a", "client_secret": "x", "secret": 1}]', "invalid app key 'secret'"),
        ('[{"name": "a", "client_secret": "x"}, {"name": "a", "client_secret": "y"}]', "unique"),
    ],
)
def test_load_apps_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "apps.json"
    path.write_text(content)
    with pytest.raises(InvalidOption) as raised:
        load_apps(path, environ={})
    assert message in str(raised.value)
