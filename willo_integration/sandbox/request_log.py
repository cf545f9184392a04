"""The requests the sandbox is sent, as Willo's own logs would show them: for counting.

Nothing is kept unless something is recording, so a sandbox that serves the demo holds no
log. ``recording()`` collects every request served meanwhile, in arrival order, from
every thread of this process (a live server's included).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Served:
    method: str
    path: str
    status: int | None = None  # None while it is still being answered


_lock = threading.Lock()
_recordings: list[list[Served]] = []


def arrived(method: str, path: str) -> Served:
    """A request has reached the sandbox; set ``status`` on what this returns once answered."""
    served = Served(method=method, path=path)
    if _recordings:
        with _lock:
            for recording in _recordings:
                recording.append(served)
    return served


@contextmanager
def recording() -> Iterator[list[Served]]:
    served: list[Served] = []
    with _lock:
        _recordings.append(served)
    try:
        yield served
    finally:
        with _lock:  # this list itself: another recording may be equal to it
            _recordings[:] = [r for r in _recordings if r is not served]
