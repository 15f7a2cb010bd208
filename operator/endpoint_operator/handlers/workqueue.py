"""A keyed work queue with the semantics of client-go's: a key waits in the queue at
most once, is never processed by two workers at once, and an event that arrives
while its key is being processed makes it run once more afterwards.

Keys added with `first=True` (objects not acted on yet, and objects whose endpoint
just finished a transition) are served before the others: under a burst of applies,
every new object is acted on before any object takes its next step, and a status
change is reported without waiting behind the burst.

It owns backoff, as client-go's rate-limited queue does: a failed sync is retried after
an exponential delay that grows with the key's failures in a row and resets when one
gets through; a sync refused for want of budget is retried when the budget allows,
with a little jitter and no growth."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Hashable

from ..aws.limiter import Backoff

PACED_JITTER = 1.0  # seconds of jitter on a limited retry: objects refused together do not retry together


class WorkQueue:
    def __init__(self, backoff: Backoff | None = None, rng: random.Random | None = None) -> None:
        self._backoff = backoff or Backoff(base=1.0, cap=300.0)
        self._rng = rng or random.Random()
        self._failures: dict[Hashable, int] = {}
        self._first: deque[Hashable] = deque()
        self._rest: deque[Hashable] = deque()
        self._ready = asyncio.Semaphore(0)  # one release per key waiting
        self._queued: set[Hashable] = set()
        self._running: set[Hashable] = set()
        self._dirty: set[Hashable] = set()
        self._timers: dict[Hashable, asyncio.TimerHandle] = {}

    def add(self, key: Hashable, first: bool = False) -> None:
        self._cancel_timer(key)
        if key in self._running:
            self._dirty.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            (self._first if first else self._rest).append(key)
            self._ready.release()

    def add_after(self, key: Hashable, delay: float, first: bool = False) -> None:
        """Schedule a key; an earlier schedule wins over a later one."""
        if delay <= 0:
            self.add(key, first)
            return
        loop = asyncio.get_running_loop()
        existing = self._timers.get(key)
        when = loop.time() + delay
        if existing is not None and existing.when() <= when:
            return
        self._cancel_timer(key)
        self._timers[key] = loop.call_at(when, self._fire, key, first)

    def forget(self, key: Hashable) -> None:
        self._cancel_timer(key)
        self._dirty.discard(key)
        self._failures.pop(key, None)

    # ---- rate limiting ----------------------------------------------------------------

    def retry(self, key: Hashable, at_least: float = 0.0, first: bool = False) -> float:
        """A failed sync: queue the key after its backoff; returns the delay."""
        delay = max(at_least, self.backoff_delay(self._failures.get(key, 0)))
        self._failures[key] = self._failures.get(key, 0) + 1
        self.add_after(key, delay, first)
        return delay

    def retry_paced(self, key: Hashable, after: float, first: bool = False) -> float:
        """A sync refused for want of budget: nothing failed, the backoff does not grow."""
        delay = after + self._rng.uniform(0.0, PACED_JITTER)
        self.add_after(key, delay, first)
        return delay

    def succeeded(self, key: Hashable) -> None:
        self._failures.pop(key, None)

    def failures(self, key: Hashable) -> int:
        """Failed syncs of `key` in a row."""
        return self._failures.get(key, 0)

    def backoff_delay(self, failures: int) -> float:
        """Exponential in the failures so far, never less than half its ceiling (never a
        hot loop), at most the cap."""
        return self._backoff.ceiling(failures) / 2 + self._backoff.delay(failures) / 2

    async def get(self) -> Hashable:
        await self._ready.acquire()
        key = self._first.popleft() if self._first else self._rest.popleft()
        self._queued.discard(key)
        self._running.add(key)
        return key

    def done(self, key: Hashable) -> None:
        self._running.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def pending(self, key: Hashable) -> bool:
        """Queued or being processed now (a timer alone does not count)."""
        return key in self._queued or key in self._running

    def scheduled(self, key: Hashable) -> bool:
        return key in self._timers or key in self._queued or key in self._running

    def __len__(self) -> int:
        return len(self._queued)

    def _fire(self, key: Hashable, first: bool) -> None:
        self._timers.pop(key, None)
        self.add(key, first)

    def _cancel_timer(self, key: Hashable) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
