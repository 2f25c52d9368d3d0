"""The bundled locustfile: Ecwid webhooks to ``--host`` in the profile of ``--ecwid-profile``.

locust -f "$(python -m ecwid_mock.locust --path)" --headless --host https://shop.example/hook
"""

from ecwid_mock.locust import EcwidProfile, EcwidWebhookUser

__all__ = ["EcwidProfile", "EcwidWebhookUser"]
