"""Defect: serves two apps but accepts either app's secret for either app."""

from __future__ import annotations

from .two_apps import SECRETS, TwoApps


class AnySecret(TwoApps):
    def secrets_for(self, app_name: str | None) -> list[str]:
        super().secrets_for(app_name)  # still refuses an unknown app
        return list(SECRETS.values())


app = AnySecret()
observe = app.observe
