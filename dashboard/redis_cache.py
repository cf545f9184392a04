"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's own client builds a new ``redis.Redis`` for every cache operation, about 0.5 ms of
CPU each (it sets up the client's table of response callbacks), paid by every webhook
delivery and several times by every page. A ``redis.Redis`` only holds its pool and is
safe to share between threads, so one per pool is kept and reused.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
