"""Not a defect: one URL serving two Ecwid apps, told apart by the X-Ecwid-App custom header
and each verified with its own client secret (a missing or unknown app is 401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import ecwid_mock

from ._base import CLIENT_SECRET, Receiver, Refused, Scope

SECRETS = {"shipping": CLIENT_SECRET, "loyalty": "conformance-test-loyalty-secret"}
APPS = [
    ecwid_mock.EcwidApp(name=name, client_secret=secret, custom_headers={"X-Ecwid-App": name})
    for name, secret in SECRETS.items()
]


class TwoApps(Receiver):
    app_name: str | None = None

    def handle(self, scope: Scope, body: bytes, headers: dict[str, str]) -> int:
        self.app_name = headers.get("x-ecwid-app")
        return super().handle(scope, body, headers)

    def secrets_for(self, app_name: str | None) -> list[str]:
        secret = SECRETS.get(app_name or "")
        if secret is None:
            raise Refused(401, "unknown app")
        return [secret]

    def authenticate(self, body: bytes, payload: dict[str, Any], signature: str | None) -> None:
        if signature is None:
            raise Refused(401)
        message = f"{payload['eventCreated']}.{payload['eventId']}".encode()
        for secret in self.secrets_for(self.app_name):
            digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
            if hmac.compare_digest(base64.b64encode(digest), signature.encode()):
                return
        raise Refused(401)


app = TwoApps()
observe = app.observe
