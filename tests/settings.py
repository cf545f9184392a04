"""Test settings: the development defaults of dashboard.settings, plus speed-ups.

The environment still wins, so the services suite points the same tests at
PostgreSQL and Redis with DATABASE_URL, CACHE_URL and CELERY_BROKER_URL.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from dashboard.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The tests ask for eager tasks: each runs inside the call that enqueues it, on the test's
# database. A worker process a test starts is given a broker (tests/services) and consumes
# from it. Nothing reaches the demo's broker or cache files from here.
CELERY_TASK_ALWAYS_EAGER = not (os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL"))
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
if "CACHE_URL" not in os.environ:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Parallel test workers share one Redis in the services suite, and tests clear the cache:
# give each worker its own Redis database (gw0 the one CACHE_URL names, gw1 the next...).
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_cache = CACHES["default"]
if "redis" in _cache["BACKEND"].lower() and _worker:
    _base, _, _db = str(_cache["LOCATION"]).rpartition("/")
    _cache["LOCATION"] = f"{_base}/{int(_db or 0) + _worker}"
# The sandbox's scheduled life is the demo's: a test that wants it calls the task itself.
CELERY_BEAT_SCHEDULE.pop("willo-sandbox-simulate", None)  # noqa: F405
