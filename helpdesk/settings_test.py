"""Test settings: the real settings with test-only defaults, nothing copied."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("EMAIL_URL", "memorymail://")

from .settings import *  # noqa: E402,F403  -- composes the real settings; add nothing but test overrides

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "1000/min", "anon": "10000/min"}  # noqa: F405
