"""Hands the Django receiver to ecwid-mock's pytest plugin."""

import pytest
import receiver


@pytest.fixture(scope="session")
def ecwid_app(ecwid_client_secret):
    """The app under test, with the client secret the plugin signs events with (pytest.ini)."""
    return receiver.create_app(client_secret=ecwid_client_secret)


@pytest.fixture
def inbox(ecwid_app):
    """The app's record of accepted and processed events, emptied for each test."""
    receiver.inbox.clear()
    return receiver.inbox
