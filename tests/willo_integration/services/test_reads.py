"""read_shared: one read of an object in flight or within the window, whoever asks."""

from __future__ import annotations

import threading
import time

import pytest

from willo_integration.services.reads import ReadLimitReached, read_shared


def test_reads_in_flight_at_once_make_one_read(scope):
    reads, results = [], []
    release = threading.Event()

    def read():
        reads.append(1)
        release.wait(5)
        return {"fetched": len(reads)}

    def ask():
        results.append(read_shared(scope=scope, what="thing", key="k", read=read))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    release.set()
    for t in threads:
        t.join()

    assert len(reads) == 1
    assert sorted(r.shared for r in results) == [False, True, True, True]
    assert all(r.value == {"fetched": 1} for r in results)


def test_a_read_after_the_window_reads_again(scope, settings):
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0
    reads = []

    for _ in range(2):
        read_shared(scope=scope, what="thing", key="k", read=lambda: reads.append(1))

    assert len(reads) == 2


def test_the_budget_is_spent_only_by_the_read_that_reaches_willo(scope):
    spent = []

    for _ in range(3):
        read_shared(
            scope=scope, what="thing", key="k", read=lambda: 1, budget=lambda: spent.append(1)
        )

    assert spent == [1]


def test_a_refused_budget_or_a_failed_read_leaves_nothing_to_share(scope):
    def refuse():
        raise ReadLimitReached(limit=20, retry_after=12)

    def fail():
        raise RuntimeError("Willo fell over")

    with pytest.raises(ReadLimitReached):
        read_shared(scope=scope, what="thing", key="k", read=lambda: 1, budget=refuse)
    with pytest.raises(RuntimeError):
        read_shared(scope=scope, what="thing", key="k", read=fail)

    assert read_shared(scope=scope, what="thing", key="k", read=lambda: 2).value == 2


def test_other_objects_and_teams_are_read_on_their_own(scope, other_team):
    from willo_integration.services.scope import Scope

    read_shared(scope=scope, what="thing", key="k", read=lambda: "a")

    assert read_shared(scope=scope, what="thing", key="j", read=lambda: "b").value == "b"
    assert (
        read_shared(scope=Scope(team=other_team), what="thing", key="k", read=lambda: "c").value
        == "c"
    )
