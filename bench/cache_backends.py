"""Cache backends on real Redis: operations per second and CPU per operation.

    .venv/bin/python bench/cache_backends.py [--ops 3000] [--rounds 7] [--db 14]

Two backends on the same Redis (127.0.0.1:6379, ``--db``, flushed before and after),
measured in one run, rounds interleaved so that the host's drift falls on both:

- *Django* (the baseline): ``django.core.cache.backends.redis.RedisCache``;
- *django-redis*, the site's (settings.py): ``django_redis.cache.RedisCache`` with its
  default client and serializer.

Operations, one at a time from one thread (as a web request or a task issues them):
``get`` of a stored key, ``set``, ``get_many`` and ``set_many`` of 10 keys, ``add`` of a
new key, and two more the site issues: ``incr`` (the members' read limit) and ``delete`` of
a key not there (a released lock). The value is a small dict like the ones the site caches
(a progress record). Prints, per backend and operation, the median over rounds of
operations per second (wall clock) and CPU microseconds per operation (this process), and
each as a ratio to Django's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS = "redis://127.0.0.1:6379"
MANY = 10
VALUE = {
    "phase": "details",
    "listed": 600,
    "fetched": 212,
    "total": 600,
    "message": "Fetching candidates from Willo",
    "started_at": "2026-12-02T10:15:00+00:00",
}
BACKENDS = {
    "Django": "django.core.cache.backends.redis.RedisCache",
    "django-redis": "django_redis.cache.RedisCache",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=3000, help="operations per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--db", type=int, default=14, help="Redis database (flushed)")
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.configure(CACHES={})
    django.setup()
    from django.utils.module_loading import import_string

    location = f"{REDIS}/{args.db}"
    caches = {name: import_string(path)(location, {}) for name, path in BACKENDS.items()}
    operations = _operations(args.ops)

    _flush(caches["Django"])
    try:
        for cache in caches.values():  # connect and warm every path once
            for run in operations.values():
                run(cache, 50)
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(args.rounds):
            for op, run in operations.items():
                for name, cache in caches.items():
                    results.setdefault((name, op), []).append(_measure(run, cache, args.ops))
    finally:
        _flush(caches["Django"])
    _report(results, list(caches), list(operations), args)


def _operations(ops: int) -> dict[str, Callable]:
    keys = [f"bench:key:{i}" for i in range(MANY)]
    batch = dict.fromkeys(keys, VALUE)
    counter = iter(range(10**9))

    def get(cache, n):
        cache.set("bench:get", VALUE, 300)
        for _ in range(n):
            cache.get("bench:get")

    def set_(cache, n):
        for _ in range(n):
            cache.set("bench:set", VALUE, 300)

    def get_many(cache, n):
        cache.set_many(batch, 300)
        for _ in range(n):
            cache.get_many(keys)

    def set_many(cache, n):
        for _ in range(n):
            cache.set_many(batch, 300)

    def add(cache, n):
        for _ in range(n):
            cache.add(f"bench:add:{next(counter)}", VALUE, 300)

    def incr(cache, n):
        cache.set("bench:incr", 0, 300)
        for _ in range(n):
            cache.incr("bench:incr")

    def delete(cache, n):
        for _ in range(n):
            cache.delete("bench:delete")

    return {
        "get": get,
        "set": set_,
        "get_many": get_many,
        "set_many": set_many,
        "add": add,
        "incr": incr,
        "delete": delete,
    }


def _measure(run: Callable, cache, ops: int) -> tuple[float, float]:
    """Operations per second (wall clock) and CPU µs per operation of one round."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(cache, ops)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return ops / wall, cpu / ops * 1e6


def _flush(cache) -> None:
    cache._cache.get_client(write=True).flushdb()


def _report(results, names, operations, args) -> None:
    print(
        f"{args.rounds} rounds of {args.ops} operations per backend and operation, "
        f"medians; Redis {REDIS}/{args.db}; {MANY} keys for get_many / set_many\n"
    )
    header = f"{'operation':<10}" + "".join(f"{n:>28}" for n in names)
    print(header)
    print(f"{'':<10}" + "".join(f"{'ops/s':>16}{'CPU µs/op':>12}" for _ in names))
    medians = {
        key: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
        for key, rows in results.items()
    }
    for op in operations:
        line = f"{op:<10}"
        for name in names:
            rate, cpu = medians[(name, op)]
            line += f"{rate:>16,.0f}{cpu:>12.1f}"
        print(line)
    print("\nRatio to Django's backend (ops/s higher is better; CPU lower is better):")
    for name in names[1:]:
        parts = []
        for op in operations:
            rate, cpu = medians[(name, op)]
            base_rate, base_cpu = medians[("Django", op)]
            parts.append(f"{op} {rate / base_rate:.2f}x ops/s, {cpu / base_cpu:.2f}x CPU")
        print(f"  {name}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
