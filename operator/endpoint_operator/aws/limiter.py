"""Client-side rate limiting: one limiter per AWS account and region.

SageMaker publishes no control-plane rate limits and throttles callers that poll too
eagerly, so the pace is found, not configured: the configured rates are where it starts,
and it climbs while AWS takes what it is sent and halves when AWS throttles (see
RateLimiter). Every call asks the limiter first; a refusal becomes a Transient error with the
wait, so the caller requeues instead of sleeping. Reads and mutations have separate
token buckets, so a burst of creates cannot starve status reads.

The last `read_reserve` read tokens are the priority callers': the ListEndpoints
sweep, which sees every endpoint's transitions at once, and the syncs that report the
transitions it saw end. Eight workers draining the read bucket during a burst would
otherwise refuse the sweep its pages, and every transition's end would go unseen, or
wait behind the burst, until the burst was over. The reserve costs no rate:
what the sweep does not take, the bucket refills above it for everyone.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Literal

Kind = Literal["read", "mutation"]
Clock = Callable[[], float]

DEFAULT_READS_PER_SECOND = 10.0
DEFAULT_MUTATIONS_PER_SECOND = 2.0
DEFAULT_BURST = 20


@dataclass
class _Bucket:
    start: float  # the configured rate: where the pace begins
    rate: float  # tokens per second now
    tokens: float
    updated: float
    throttled_at: float | None = None  # the last halving by a throttle; None before the first
    throttled_pace: float = 0.0  # the pace AWS throttled at last: the quota as far as known

    def climb(self, floor: float, ceiling: float, double_seconds: float, climb_seconds: float) -> None:
        """One call went at the pace: raise the pace a little. Before the first throttle the
        pace doubles every `double_seconds` of saturated calls (AWS's quota is unknown, so
        it is found fast); after it, it climbs back from half the pace AWS throttled at
        to that pace in `climb_seconds` (additive, so it hovers just under the quota)."""
        if self.throttled_at is None:
            step = math.log(2) / double_seconds
        else:
            step = self.throttled_pace / 2 / climb_seconds / self.rate
        self.rate = min(ceiling, max(floor, self.rate + step))


class RateLimiter:
    """Token buckets with an adaptive pace (AIMD), one per kind of call. The pace starts
    at the configured rate and climbs while the calls it lets through are at the pace
    (the bucket runs dry) and AWS does not throttle; a throttle halves the pace of that
    kind and drops its saved-up burst. A limiter that is not saturated does not climb:
    a pace is only raised by calls that show it.

    Throttles within `penalty_window` of the last halving are answers to the same
    overshoot (the calls were already in flight) and halve nothing more: eight workers
    throttled at once must not cut the speed to 1/256."""

    def __init__(
        self,
        reads_per_second: float,
        mutations_per_second: float,
        burst: int,
        clock: Clock = time.monotonic,
        *,
        double_seconds: float = 10.0,
        climb_seconds: float = 20.0,
        min_factor: float = 1 / 16,
        max_factor: float = 16.0,
        penalty_window: float = 1.0,
        read_reserve: int = 0,
    ) -> None:
        if reads_per_second <= 0 or mutations_per_second <= 0 or burst < 1:
            raise ValueError("rates must be positive and burst at least 1")
        if not 0 <= read_reserve < burst:
            raise ValueError("the read reserve must be at least 0 and below the burst")
        self._read_reserve = float(read_reserve)
        self._clock = clock
        self._burst = float(burst)
        self._double_seconds = double_seconds
        self._climb_seconds = climb_seconds
        self._min_factor = min_factor
        self._max_factor = max_factor
        self._penalty_window = penalty_window
        self._lock = threading.Lock()
        now = clock()
        self._buckets: dict[str, _Bucket] = {
            "read": _Bucket(reads_per_second, reads_per_second, self._burst, now),
            "mutation": _Bucket(mutations_per_second, mutations_per_second, self._burst, now),
        }

    def try_acquire(self, kind: Kind, priority: bool = False) -> float:
        """0.0 and a token taken if the call may go now; else the seconds to wait (no token
        taken). A read without priority leaves the reserve in the bucket."""
        with self._lock:
            now = self._clock()
            bucket = self._refill(kind, now)
            need = 1.0 + self._held_back(bucket, kind, priority)
            if bucket.tokens >= need:
                bucket.tokens -= 1.0
                if bucket.tokens < need:  # the call went at the pace: demand meets it
                    bucket.climb(bucket.start * self._min_factor, bucket.start * self._max_factor,
                                 self._double_seconds, self._climb_seconds)
                return 0.0
            return (need - bucket.tokens) / bucket.rate

    def spent(self, kind: Kind) -> bool:
        """True when a call of `kind` without priority would have to wait now (nothing is taken)."""
        with self._lock:
            now = self._clock()
            bucket = self._refill(kind, now)
            return bucket.tokens < 1.0 + self._held_back(bucket, kind, False)

    def _held_back(self, bucket: _Bucket, kind: str, priority: bool) -> float:
        """The reserve shrinks with the pace below the start, so that refilling it costs
        the same time as at the start pace: ordinary reads are not starved after a throttle."""
        if kind != "read" or priority:
            return 0.0
        return self._read_reserve * min(1.0, bucket.rate / bucket.start)

    def penalize(self, kind: Kind | None = None) -> None:
        """AWS throttled a call of `kind` (None: of any kind): halve that pace and drop
        the saved-up burst."""
        with self._lock:
            now = self._clock()
            for name, bucket in self._buckets.items():
                if kind is not None and name != kind:
                    continue
                if bucket.throttled_at is not None and now - bucket.throttled_at < self._penalty_window:
                    continue
                self._refill(name, now)
                bucket.throttled_pace = bucket.rate
                bucket.rate = max(bucket.rate / 2, bucket.start * self._min_factor)
                bucket.throttled_at = now
                bucket.tokens = min(bucket.tokens, 0.0)

    def rate(self, kind: Kind) -> float:
        """Current tokens per second for `kind`: the pace found so far."""
        with self._lock:
            return self._buckets[kind].rate

    def _refill(self, kind: str, now: float) -> _Bucket:
        bucket = self._buckets[kind]
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(self._burst, bucket.tokens + elapsed * bucket.rate)
        bucket.updated = now
        return bucket


class LimiterRegistry:
    """The one RateLimiter of each (account, region), created on first use."""

    def __init__(
        self,
        reads_per_second: float = DEFAULT_READS_PER_SECOND,
        mutations_per_second: float = DEFAULT_MUTATIONS_PER_SECOND,
        burst: int = DEFAULT_BURST,
        clock: Clock = time.monotonic,
        read_reserve: int = 0,
    ) -> None:
        self._settings = (reads_per_second, mutations_per_second, burst)
        self._read_reserve = read_reserve
        self._clock = clock
        self._lock = threading.Lock()
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    def get(self, account: str, region: str) -> RateLimiter:
        with self._lock:
            limiter = self._limiters.get((account, region))
            if limiter is None:
                limiter = RateLimiter(*self._settings, clock=self._clock, read_reserve=self._read_reserve)
                self._limiters[(account, region)] = limiter
            return limiter

    def paces(self) -> list[tuple[str, str, Kind, float]]:
        """(account, region, kind, calls per second) of every limiter: the paces found."""
        with self._lock:
            limiters = sorted(self._limiters.items())
        return [(account, region, kind, limiter.rate(kind))
                for (account, region), limiter in limiters for kind in ("read", "mutation")]


class Backoff:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    def ceiling(self, attempt: int) -> float:
        """The largest delay `attempt` (0 for the first retry) may get."""
        return min(self.cap, self.base * 2 ** min(max(attempt, 0), 64))

    def delay(self, attempt: int) -> float:
        with self._lock:  # random.Random is not safe to share between threads
            return self._rng.uniform(0.0, self.ceiling(attempt))
