"""Hands the receiver to ecwid-mock's pytest plugin, pointed at the plugin's mock store."""

import ssl

import pytest
from receiver import Api, create_app

from ecwid_mock import EcwidStore


@pytest.fixture(scope="session")
def ecwid_app(ecwid_client_secret):
    return create_app(client_secret=ecwid_client_secret)


@pytest.fixture
def shop(ecwid_app, ecwid_store, ecwid_settings):
    """The app's records, with its REST client pointed at this test's store."""
    if ecwid_settings.transport == "https":  # the app calls the store over real HTTPS too
        trust = ssl.create_default_context(cafile=ecwid_store.cacert)
        api = Api(ecwid_store.api_url, ecwid_store.token, verify=trust)
    else:
        api = Api(ecwid_store.base_url, ecwid_store.token, ecwid_store.async_transport())
    ecwid_app.state.api = api
    ecwid_app.state.shop.__init__()
    yield ecwid_app.state.shop
    ecwid_app.state.api = None


@pytest.fixture(scope="session")
def ecwid_conformance_store(ecwid_app):
    """The store `pytest --ecwid-conformance` runs the REST checks (rest-*) against."""
    store = EcwidStore()
    ecwid_app.state.api = Api(store.base_url, store.token, store.async_transport())
    return store
