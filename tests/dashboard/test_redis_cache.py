"""The Redis cache backend reuses its redis-py clients; sessions use the cache only if shared."""

from __future__ import annotations

from django.conf import settings

from dashboard.redis_cache import RedisCache


def test_the_client_is_built_once_per_pool_not_once_per_operation():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})

    first = cache._cache.get_client("a", write=True)

    assert cache._cache.get_client("b") is first  # one server: reads and writes share a pool
    assert first.connection_pool is cache._cache._get_connection_pool(True)


def test_a_second_server_gets_its_own_client():
    cache = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/15", {})

    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()

    assert reader is not writer
    assert reader is cache._cache.get_client()


def test_sessions_are_read_from_the_cache_only_when_it_is_shared():
    shared = settings.CACHES["default"]["BACKEND"] == "dashboard.redis_cache.RedisCache"

    assert (settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db") is shared
