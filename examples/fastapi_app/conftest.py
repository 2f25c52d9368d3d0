"""Hands the FastAPI receiver to ecwid-mock's pytest plugin."""

import pytest
from receiver import create_app


@pytest.fixture(scope="session")
def ecwid_app(ecwid_client_secret):
    """The app under test, with the client secret the plugin signs events with (pytest.ini)."""
    return create_app(client_secret=ecwid_client_secret)


@pytest.fixture
def inbox(ecwid_app):
    """The app's record of accepted and processed events, emptied for each test."""
    inbox = ecwid_app.state.inbox
    inbox.clear()
    return inbox
