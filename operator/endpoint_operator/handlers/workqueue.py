"""A keyed work queue with the semantics of client-go's: a key waits in the queue at
most once, is never processed by two workers at once, and an event that arrives
while its key is being processed makes it run once more afterwards.

Keys wait in lanes (outcome.Lane), served in order: a status change the sweep saw,
then the next step of an object that has begun, then a new object's first, then
routine work. Under a burst of applies objects so finish one by one, and a status
change is reported without waiting behind the burst. No lane starves: one that has
waited PATIENCE picks of other lanes is served next (lane_to_serve).

It owns backoff, as client-go's rate-limited queue does: a failed sync is retried after
an exponential delay that grows with the key's failures in a row and resets when one
gets through; a sync refused for want of budget is retried when the budget allows,
with a little jitter and no growth."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Hashable, Sequence

from ..aws.limiter import Backoff
from .outcome import Lane

PACED_JITTER = 1.0  # seconds of jitter on a limited retry: objects refused together do not retry together
# Picks of other lanes a lane with keys waits at most: a new object is started at least
# every fourth pick however much begun work there is, and begun or routine work is not
# held back for long by the lanes before it.
PATIENCE = 3


def lane_to_serve(waiting: Sequence[int], passed: Sequence[int], patience: int = PATIENCE) -> int | None:
    """The lane the next key comes from, given the keys waiting in each lane (in the order
    lanes are served) and the picks each has waited through while it had keys: the first
    lane that has waited `patience` picks, else the first with a key; None if all are empty."""
    for index, count in enumerate(waiting):
        if count and passed[index] >= patience:
            return index
    return next((index for index, count in enumerate(waiting) if count), None)


class WorkQueue:
    def __init__(self, backoff: Backoff | None = None, rng: random.Random | None = None) -> None:
        self._backoff = backoff or Backoff(base=1.0, cap=300.0)
        self._rng = rng or random.Random()
        self._failures: dict[Hashable, int] = {}
        self._lanes: list[deque[Hashable]] = [deque() for _ in Lane]
        self._passed: list[int] = [0 for _ in Lane]  # picks of other lanes each has waited through
        self._ready = asyncio.Semaphore(0)  # one release per key waiting
        self._queued: set[Hashable] = set()
        self._running: set[Hashable] = set()
        self._dirty: dict[Hashable, Lane] = {}  # added while running: runs again, in this lane
        self._timers: dict[Hashable, asyncio.TimerHandle] = {}

    def add(self, key: Hashable, lane: Lane = Lane.ROUTINE) -> None:
        self._cancel_timer(key)
        if key in self._running:
            self._dirty[key] = min(lane, self._dirty.get(key, lane))
        elif key not in self._queued:
            self._queued.add(key)
            self._lanes[lane].append(key)
            self._ready.release()

    def add_after(self, key: Hashable, delay: float, lane: Lane = Lane.ROUTINE) -> None:
        """Schedule a key; an earlier schedule wins over a later one."""
        if delay <= 0:
            self.add(key, lane)
            return
        loop = asyncio.get_running_loop()
        existing = self._timers.get(key)
        when = loop.time() + delay
        if existing is not None and existing.when() <= when:
            return
        self._cancel_timer(key)
        self._timers[key] = loop.call_at(when, self._fire, key, lane)

    def forget(self, key: Hashable) -> None:
        self._cancel_timer(key)
        self._dirty.pop(key, None)
        self._failures.pop(key, None)

    # ---- rate limiting ----------------------------------------------------------------

    def retry(self, key: Hashable, at_least: float = 0.0, lane: Lane = Lane.ROUTINE) -> float:
        """A failed sync: queue the key after its backoff; returns the delay."""
        delay = max(at_least, self.backoff_delay(self._failures.get(key, 0)))
        self._failures[key] = self._failures.get(key, 0) + 1
        self.add_after(key, delay, lane)
        return delay

    def retry_paced(self, key: Hashable, after: float, lane: Lane = Lane.ROUTINE) -> float:
        """A sync refused for want of budget: nothing failed, the backoff does not grow."""
        delay = after + self._rng.uniform(0.0, PACED_JITTER)
        self.add_after(key, delay, lane)
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
        served = lane_to_serve([len(keys) for keys in self._lanes], self._passed)
        key = self._lanes[served].popleft()
        for index, keys in enumerate(self._lanes):
            self._passed[index] = self._passed[index] + 1 if keys and index != served else 0
        self._queued.discard(key)
        self._running.add(key)
        return key

    def done(self, key: Hashable) -> None:
        self._running.discard(key)
        lane = self._dirty.pop(key, None)
        if lane is not None:
            self.add(key, lane)

    def pending(self, key: Hashable) -> bool:
        """Queued or being processed now (a timer alone does not count)."""
        return key in self._queued or key in self._running

    def scheduled(self, key: Hashable) -> bool:
        return key in self._timers or key in self._queued or key in self._running

    def __len__(self) -> int:
        return len(self._queued)

    def _fire(self, key: Hashable, lane: Lane) -> None:
        self._timers.pop(key, None)
        self.add(key, lane)

    def _cancel_timer(self, key: Hashable) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
