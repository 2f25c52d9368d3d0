"""Django settings for the example receiver: one file, no database, no templates."""

from __future__ import annotations

import os
import secrets

DEBUG = False
# Django signs nothing this app relies on; a real project sets DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
# receiver.test is the host ecwid-mock uses in-process; 127.0.0.1 is its local HTTPS server.
ALLOWED_HOSTS = ["receiver.test", "127.0.0.1", "localhost"]
ROOT_URLCONF = "receiver"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # the webhook view is exempt: Ecwid has no token
]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # Ecwid's events are a few hundred bytes

#: The app's client secret from the Ecwid app registration (not a REST access token).
ECWID_CLIENT_SECRET = os.environ.get("ECWID_CLIENT_SECRET", "")
