"""Defect: two apps at one URL, but every event is verified with the first app's secret."""

from __future__ import annotations

from .two_apps import SECRETS, TwoApps


class OneSecret(TwoApps):
    def secrets_for(self, app_name: str | None) -> list[str]:
        return [SECRETS["shipping"]]


app = OneSecret()
observe = app.observe
