"""Client-side rate limiting: one limiter per AWS account and region.

SageMaker publishes no control-plane rate limits and throttles callers that poll too
eagerly, so the pace is found, not configured: the configured rates are where it starts,
and it climbs while AWS takes what it is sent and steps down when AWS throttles (see
RateLimiter). Every call asks the limiter first; a refusal becomes a Transient error with the
wait, so the caller requeues instead of sleeping. Reads and mutations have separate
token buckets, so a burst of creates cannot starve status reads.

A throttle is also a measure: the calls AWS took in the second before it are its quota
as far as can be known. The pace goes back to just under that quota, not to half of
whatever it was, and probes up towards it again slowly, so under a fixed quota it sits
near the quota with a throttle now and then instead of sawing between half and all of it.

The last `read_reserve` read tokens are the priority callers': the ListEndpoints
sweep, which sees every endpoint's transitions at once, and the syncs that report the
transitions it saw end. Eight workers draining the read bucket during a burst would
otherwise refuse the sweep its pages, and every transition's end would go unseen, or
wait behind the burst, until the burst was over. The reserve costs no rate:
what the sweep does not take, the bucket refills above it for everyone.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Literal

log = logging.getLogger(__name__)

Kind = Literal["read", "mutation"]
Clock = Callable[[], float]

DEFAULT_READS_PER_SECOND = 10.0
DEFAULT_MUTATIONS_PER_SECOND = 2.0
DEFAULT_BURST = 20
QUOTA_WINDOW = 1.0  # seconds over which the calls AWS took before a throttle are counted


@dataclass
class _Bucket:
    start: float  # the configured rate: where the pace begins
    rate: float  # tokens per second now
    tokens: float
    updated: float
    throttled_at: float | None = None  # the last step down by a throttle; None before the first
    overshoot_sent: float = 0.0  # when the call whose throttle stepped the pace down was sent
    quota: float = 0.0  # the pace AWS took at the last throttle: its quota as far as known
    climb_per_second: float = 0.0  # after a throttle: how fast a saturated pace probes back up
    # When the tokens of the last three windows were taken, and when the throttled calls among
    # them were: the calls AWS took in a window are the ones taken and not throttled.
    taken: deque[float] = field(default_factory=deque)
    throttled: deque[float] = field(default_factory=deque)
    wanted: bool = False  # a caller was refused a token since the last one was taken

    def capacity(self, burst: float) -> float:
        """The tokens the bucket may hold. Once a quota is known, a full bucket and a
        second at the pace stay within it (AWS counts calls per window, a saved-up burst
        included), so the burst is what the pace leaves of the quota, at least one call."""
        if self.throttled_at is None:
            return burst
        return max(1.0, min(burst, self.quota - self.rate))

    def window_wait(self, now: float) -> float:
        """Once a quota is known, the calls AWS took in the last window stay under it (or
        under the pace, while the pace probes above it): right after a throttle the window
        is full, and whatever the bucket holds would be throttled too. The seconds until
        the window has room; 0.0 if it has."""
        if self.throttled_at is None or self.took(now) < max(self.quota, self.rate * QUOTA_WINDOW):
            return 0.0
        oldest = next(t for t in self.taken if t > now - QUOTA_WINDOW)
        return max(oldest + QUOTA_WINDOW - now, 1e-3)

    def took(self, until: float, windows: int = 1) -> int:
        """The calls AWS took of those sent in the `windows` windows up to `until`."""
        def within(times: deque[float]) -> int:
            return sum(1 for t in times if until - windows * QUOTA_WINDOW < t <= until)
        return within(self.taken) - within(self.throttled)

    def measure(self, sent: float) -> float:
        """The quota a throttle of a call sent at `sent` shows: what AWS took in the window
        before it, or per window over the two before it if more. A call sent at the
        window's edge may fall on either side of AWS's (calls take a little while to
        arrive): over two windows of a pace held at the quota, that error weighs half."""
        return max(float(self.took(sent)), self.took(sent, 2) / 2)

    def forget_before(self, now: float) -> None:
        for times in (self.taken, self.throttled):
            while times and times[0] <= now - 3 * QUOTA_WINDOW:
                times.popleft()

    def climb(self, floor: float, ceiling: float, double_seconds: float) -> None:
        """One call went at the pace: raise the pace a little. Before the first throttle the
        pace doubles every `double_seconds` of saturated calls (AWS's quota is unknown, so
        it is found fast); after it, it climbs by `climb_per_second` per second of saturated
        calls (additive, so it probes just under the quota and on past it slowly)."""
        if self.throttled_at is None:
            step = math.log(2) / double_seconds
        else:
            step = self.climb_per_second / self.rate
        self.rate = min(ceiling, max(floor, self.rate + step))


class RateLimiter:
    """Token buckets with an adaptive pace, one per kind of call. The pace starts at the
    configured rate and climbs while the calls it lets through are at the pace (the
    bucket runs dry, and after a throttle callers wait for it) and AWS does not throttle.
    A limiter that is not saturated does not climb: a pace is only raised by calls that
    show it.

    A throttle steps the pace down to `backoff` times the quota it measures: the calls of
    that kind AWS took in the last second (those let through minus those throttled). From
    there the pace climbs back to the quota in `climb_seconds` of saturated calls and on
    past it at the same slope, until the next throttle measures again. Under a fixed quota
    the pace so saws between 0.9 and 1.0 of it, with one throttle per climb. A throttle
    with nothing to measure (no call of the last second went through) halves the pace,
    as plain AIMD does. Either drops the saved-up burst; from then on the bucket holds
    only what the pace leaves of the quota (_Bucket.capacity), and no call goes while the
    last second's calls fill it (_Bucket.window_wait).

    Throttles within `penalty_window` of the last step down are answers to the same
    overshoot (the calls were already in flight): they only refine the measure (fewer
    calls went through than it counted), they do not step down again, so eight workers
    throttled at once do not cut the speed to 1/256."""

    def __init__(
        self,
        reads_per_second: float,
        mutations_per_second: float,
        burst: int,
        clock: Clock = time.monotonic,
        *,
        double_seconds: float = 10.0,
        climb_seconds: float = 20.0,
        backoff: float = 0.9,
        min_factor: float = 1 / 16,
        max_factor: float = 16.0,
        penalty_window: float = 1.0,
        read_reserve: int = 0,
    ) -> None:
        if reads_per_second <= 0 or mutations_per_second <= 0 or burst < 1:
            raise ValueError("rates must be positive and burst at least 1")
        if not 0 <= read_reserve < burst:
            raise ValueError("the read reserve must be at least 0 and below the burst")
        if not 0 < backoff < 1:
            raise ValueError("the backoff factor must be between 0 and 1")
        self._read_reserve = float(read_reserve)
        self._clock = clock
        self._burst = float(burst)
        self._double_seconds = double_seconds
        self._climb_seconds = climb_seconds
        self._backoff = backoff
        self._min_factor = min_factor
        self._max_factor = max_factor
        self._penalty_window = penalty_window
        self._lock = threading.Lock()
        self._sent = threading.local()  # when this thread's last call was let through
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
            wait = max((need - bucket.tokens) / bucket.rate, bucket.window_wait(now))
            if wait > 0:
                bucket.wanted = True
                return wait
            bucket.tokens -= 1.0
            bucket.taken.append(now)
            self._sent.at = now
            # The call went at the pace: the bucket is dry after it (for ordinary callers: a
            # priority read that takes the reserve shows demand too) and, once it holds only
            # a few tokens (after a throttle), a caller was refused since the last call.
            dry = bucket.tokens < 1.0 + self._held_back(bucket, kind, False)
            if dry and (bucket.throttled_at is None or bucket.wanted):
                bucket.climb(bucket.start * self._min_factor, bucket.start * self._max_factor,
                             self._double_seconds)
            bucket.wanted = False
            return 0.0

    def spent(self, kind: Kind) -> bool:
        """True when a call of `kind` without priority would have to wait now (nothing is taken)."""
        with self._lock:
            now = self._clock()
            bucket = self._refill(kind, now)
            spent = bucket.tokens < 1.0 + self._held_back(bucket, kind, False) or bucket.window_wait(now) > 0
            bucket.wanted = bucket.wanted or spent
            return spent

    def _held_back(self, bucket: _Bucket, kind: str, priority: bool) -> float:
        """The reserve shrinks with the pace below the start, so that refilling it costs
        the same time as at the start pace: ordinary reads are not starved after a throttle.
        It never takes the bucket's last token: ordinary reads always get one."""
        if kind != "read" or priority:
            return 0.0
        return min(self._read_reserve * min(1.0, bucket.rate / bucket.start), bucket.capacity(self._burst) - 1.0)

    def penalize(self, kind: Kind | None = None) -> None:
        """AWS throttled a call of `kind` (None: of any kind), the last one this thread was
        let through: step that pace down to just under the quota the throttle shows and
        drop the saved-up burst. The window measured ends when that call was sent, so the
        time the answer took does not shift it against AWS's."""
        with self._lock:
            now = self._clock()
            sent = getattr(self._sent, "at", None)
            sent = now if sent is None or sent < now - QUOTA_WINDOW else sent
            for name, bucket in self._buckets.items():
                if kind is not None and name != kind:
                    continue
                self._refill(name, now)
                bucket.throttled.append(sent)
                floor, ceiling = bucket.start * self._min_factor, bucket.start * self._max_factor
                if bucket.throttled_at is not None and now - bucket.throttled_at < self._penalty_window:
                    # The same overshoot: calls sent before the one that stepped the pace
                    # down were counted as taken until their throttle came back.
                    took = bucket.measure(bucket.overshoot_sent)
                    if 0 < took < bucket.quota:
                        bucket.quota = took
                        bucket.rate = min(bucket.rate, max(floor, self._backoff * took))
                    continue
                took = bucket.measure(sent)  # the calls AWS took in the window before this one
                bucket.quota = took if took > 0 else bucket.rate
                stepped = self._backoff * took if took > 0 else bucket.rate / 2
                bucket.rate = min(ceiling, max(floor, stepped))
                # Back to the quota in climb_seconds; at least a tenth of it in that time, so
                # a pace stepped down only a little still probes for a quota that grew.
                bucket.climb_per_second = max(bucket.quota - bucket.rate, 0.1 * bucket.quota) / self._climb_seconds
                bucket.throttled_at, bucket.overshoot_sent = now, sent
                bucket.tokens = min(bucket.tokens, 0.0)
                log.info("AWS throttled a %s: pace %.1f/s (the quota it shows: %.1f/s)", name, bucket.rate,
                         bucket.quota)

    def rate(self, kind: Kind) -> float:
        """Current tokens per second for `kind`: the pace found so far."""
        with self._lock:
            return self._buckets[kind].rate

    def _refill(self, kind: str, now: float) -> _Bucket:
        bucket = self._buckets[kind]
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(bucket.capacity(self._burst), bucket.tokens + elapsed * bucket.rate)
        bucket.updated = now
        bucket.forget_before(now)
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
