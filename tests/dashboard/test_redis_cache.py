"""A Redis CACHE_URL gives django-redis, and sessions use the cache only if it is shared."""

from __future__ import annotations

import json
import subprocess
import sys

from django.conf import settings

from tests.dashboard.test_task_modes import ROOT, _development_env

PRINT_CACHE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"], "sessions": settings.SESSION_ENGINE}))
"""


def _settings_with(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PRINT_CACHE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_redis_cache_url_is_served_by_django_redis_with_sessions_in_it(tmp_path):
    loaded = _settings_with(_development_env(tmp_path, CACHE_URL="redis://127.0.0.1:6379/3"))

    assert loaded["cache"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert loaded["cache"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert loaded["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_sessions_are_read_from_the_cache_only_when_it_is_shared():
    shared = settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"

    assert (settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db") is shared
