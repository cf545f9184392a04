import httpx

from willo_integration.client.limiter import RequestLimiter


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    def acquire(self) -> None:
        self.acquired += 1


def test_every_attempt_passes_through_the_limiter(client, willo):
    limiter = CountingLimiter()
    client.limiter = limiter
    willo.script = [httpx.Response(503), httpx.Response(200, json=[])]
    client.categories.list()
    assert limiter.acquired == 2


def test_a_fractional_rate_becomes_a_whole_limit_per_interval():
    assert (RequestLimiter(2.5).rate.limit, RequestLimiter(2.5).rate.interval) == (3, 1200)
    assert (RequestLimiter(5).rate.limit, RequestLimiter(5).rate.interval) == (5, 1000)
    assert (RequestLimiter(0.5).rate.limit, RequestLimiter(0.5).rate.interval) == (1, 2000)


def test_concurrent_reads_share_the_clients_limiter(client, willo):
    limiter = CountingLimiter()
    client.limiter = limiter
    willo.script = [
        lambda request: httpx.Response(200, json={"key": request.url.path.split("/")[-2]})
    ]
    keys = [f"{n:032x}" for n in range(12)]
    results = list(client.concurrently(client.participants.retrieve, keys, max_workers=4))
    assert [p.key for p in results] == keys
    assert limiter.acquired == 12
