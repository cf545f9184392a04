"""Test settings: the development defaults of dashboard.settings, plus speed-ups.

The environment still wins, so the services suite points the same tests at
PostgreSQL and Redis with DATABASE_URL, CACHE_URL and CELERY_BROKER_URL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from dashboard.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WILLO_EAGER_RETRY_PAUSE_SECONDS = 0.0  # eager decision retries need no real pause here
