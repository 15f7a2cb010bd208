"""Client-side rate limiting: one limiter per AWS account and region.

SageMaker publishes no control-plane rate limits and throttles callers that poll too
eagerly. Every call asks the limiter first; a refusal becomes a Transient error with the
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
    rate: float  # tokens per second at full speed
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets with AIMD: a throttle from AWS halves the rates, which then climb
    back linearly to full speed over `recovery_seconds` without another throttle.

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
        recovery_seconds: float = 60.0,
        min_factor: float = 1 / 16,
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
        self._recovery_seconds = recovery_seconds
        self._min_factor = min_factor
        self._penalty_window = penalty_window
        self._lock = threading.Lock()
        now = clock()
        self._buckets: dict[str, _Bucket] = {
            "read": _Bucket(reads_per_second, self._burst, now),
            "mutation": _Bucket(mutations_per_second, self._burst, now),
        }
        # Speed as a fraction of full: `_penalty_factor` right after the last
        # throttle, recovering linearly from `_penalized_at`.
        self._penalty_factor = 1.0
        self._penalized_at = now
        self._penalized_once = False

    def try_acquire(self, kind: Kind, priority: bool = False) -> float:
        """0.0 and a token taken if the call may go now; else the seconds to wait (no token
        taken). A read without priority leaves the reserve in the bucket."""
        with self._lock:
            now = self._clock()
            bucket = self._refill(kind, now)
            need = 1.0 + self._held_back(kind, priority, now)
            if bucket.tokens >= need:
                bucket.tokens -= 1.0
                return 0.0
            return (need - bucket.tokens) / (bucket.rate * self._factor(now))

    def spent(self, kind: Kind) -> bool:
        """True when a call of `kind` without priority would have to wait now (nothing is taken)."""
        with self._lock:
            now = self._clock()
            return self._refill(kind, now).tokens < 1.0 + self._held_back(kind, False, now)

    def _held_back(self, kind: str, priority: bool, now: float) -> float:
        """The reserve shrinks with the speed after a throttle, so that refilling it costs
        the same time as at full speed: ordinary reads are not starved while recovering."""
        if kind != "read" or priority:
            return 0.0
        return self._read_reserve * self._factor(now)

    def penalize(self) -> None:
        """AWS throttled a call: halve the speed and drop the saved-up burst."""
        with self._lock:
            now = self._clock()
            if self._penalized_once and now - self._penalized_at < self._penalty_window:
                return
            self._penalized_once = True
            for kind in self._buckets:
                self._refill(kind, now)
            self._penalty_factor = max(self._factor(now) / 2, self._min_factor)
            self._penalized_at = now
            for bucket in self._buckets.values():
                bucket.tokens = min(bucket.tokens, 0.0)

    def rate(self, kind: Kind) -> float:
        """Current tokens per second for `kind`, penalties included."""
        with self._lock:
            return self._buckets[kind].rate * self._factor(self._clock())

    def _factor(self, now: float) -> float:
        recovered = (now - self._penalized_at) / self._recovery_seconds
        return min(1.0, self._penalty_factor + recovered)

    def _refill(self, kind: str, now: float) -> _Bucket:
        bucket = self._buckets[kind]
        elapsed = max(0.0, now - bucket.updated)
        # The factor at `now` under-counts tokens while recovering: the safe side.
        bucket.tokens = min(self._burst, bucket.tokens + elapsed * bucket.rate * self._factor(now))
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
