"""Test settings: the development defaults of dashboard.settings, plus speed-ups.

The environment still wins, so the services suite points the same tests at
PostgreSQL and Redis with DATABASE_URL, CACHE_URL and CELERY_BROKER_URL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from dashboard.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WILLO_EAGER_RETRY_PAUSE_SECONDS = 0.0  # eager decision retries need no real pause here
# Parallel test workers share one Redis in the services suite, and tests clear the cache:
# give each worker its own Redis database (gw0 the one CACHE_URL names, gw1 the next...).
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_cache = CACHES["default"]  # noqa: F405
if "redis" in _cache["BACKEND"].lower() and _worker:
    _base, _, _db = str(_cache["LOCATION"]).rpartition("/")
    _cache["LOCATION"] = f"{_base}/{int(_db or 0) + _worker}"
