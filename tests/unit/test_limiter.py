"""The client-side limiter and backoff, on an injected clock and a seeded random."""

from __future__ import annotations

import random
import threading
from collections import deque

import pytest

from endpoint_operator.aws.limiter import Backoff, LimiterRegistry, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# Tests of the bucket's arithmetic pass max_factor=1.0: a pace that cannot climb.


def spend(limiter: RateLimiter, kind: str) -> int:
    """Acquire until refused; returns how many went."""
    went = 0
    while limiter.try_acquire(kind) == 0.0:
        went += 1
        assert went <= 1000, "the bucket never ran dry"
    return went


def test_a_full_bucket_lets_the_burst_through_then_says_how_long_to_wait(clock):
    limiter = RateLimiter(reads_per_second=2.0, mutations_per_second=1.0, burst=5, clock=clock, max_factor=1.0)

    assert spend(limiter, "read") == 5
    assert limiter.try_acquire("read") == pytest.approx(0.5)  # one token at 2/s
    clock.advance(0.25)
    assert limiter.try_acquire("read") == pytest.approx(0.25)
    clock.advance(0.25)
    assert limiter.try_acquire("read") == 0.0
    assert limiter.try_acquire("read") == pytest.approx(0.5)


def test_a_refusal_takes_no_token(clock):
    limiter = RateLimiter(reads_per_second=1.0, mutations_per_second=1.0, burst=1, clock=clock, max_factor=1.0)
    assert limiter.try_acquire("read") == 0.0
    for _ in range(10):
        assert limiter.try_acquire("read") == pytest.approx(1.0)
    clock.advance(1.0)
    assert limiter.try_acquire("read") == 0.0


def test_reads_and_mutations_are_budgeted_separately(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=3, clock=clock, max_factor=1.0)

    assert spend(limiter, "mutation") == 3
    assert limiter.try_acquire("mutation") == pytest.approx(1.0)
    assert spend(limiter, "read") == 3  # a burst of creates leaves the reads alone
    assert limiter.try_acquire("read") == pytest.approx(0.1)


def test_the_bucket_never_holds_more_than_the_burst(clock):
    limiter = RateLimiter(reads_per_second=100.0, mutations_per_second=1.0, burst=4, clock=clock)
    clock.advance(3600)
    assert spend(limiter, "read") == 4


def test_penalize_halves_the_rates_and_drops_the_saved_burst(clock):
    limiter = RateLimiter(reads_per_second=8.0, mutations_per_second=2.0, burst=10, clock=clock)

    limiter.penalize()

    assert limiter.rate("read") == pytest.approx(4.0)
    assert limiter.rate("mutation") == pytest.approx(1.0)
    assert limiter.try_acquire("read") == pytest.approx(0.25)
    assert limiter.try_acquire("mutation") == pytest.approx(1.0)


def test_repeated_throttles_keep_halving_down_to_a_floor(clock):
    limiter = RateLimiter(reads_per_second=16.0, mutations_per_second=1.0, burst=1, clock=clock,
                          min_factor=1 / 8, penalty_window=0.0)
    limiter.penalize()
    limiter.penalize()
    assert limiter.rate("read") == pytest.approx(4.0)
    for _ in range(10):
        limiter.penalize()
    assert limiter.rate("read") == pytest.approx(2.0)


def saturate(limiter: RateLimiter, kind: str, seconds: float, clock: FakeClock, step: float = 0.01) -> int:
    """Call as fast as the limiter lets through for `seconds`; returns how many went."""
    went = 0
    for _ in range(round(seconds / step)):
        clock.advance(step)
        went += spend(limiter, kind)
    return went


def test_the_pace_starts_at_the_configured_rate_and_doubles_while_saturated_before_any_throttle(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=2.0, burst=5, clock=clock,
                          double_seconds=10.0)
    assert limiter.rate("read") == pytest.approx(10.0)
    saturate(limiter, "read", 10.0, clock)
    assert limiter.rate("read") == pytest.approx(20.0, rel=0.1)
    saturate(limiter, "read", 10.0, clock)
    assert limiter.rate("read") == pytest.approx(40.0, rel=0.1)
    assert limiter.rate("mutation") == pytest.approx(2.0)  # no mutation showed its pace


def test_an_idle_limiter_does_not_climb(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=2.0, burst=20, clock=clock)
    for _ in range(600):  # a call every second: far under the pace
        clock.advance(1.0)
        assert limiter.try_acquire("read") == 0.0
    assert limiter.rate("read") == pytest.approx(10.0)


def test_after_a_throttle_the_pace_climbs_back_to_where_aws_throttled_in_the_climb_period(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=2.0, burst=5, clock=clock,
                          climb_seconds=10.0)
    limiter.penalize("read")
    assert limiter.rate("read") == pytest.approx(5.0)
    saturate(limiter, "read", 10.0, clock)
    assert limiter.rate("read") == pytest.approx(10.0, rel=0.05)
    saturate(limiter, "read", 10.0, clock)
    assert limiter.rate("read") == pytest.approx(15.0, rel=0.05)  # on past it: no ceiling at the start


def test_a_start_far_above_the_quota_climbs_back_at_the_quota_s_scale(clock):
    """Started at 50/s against a quota of 8/s: after throttles down to 4/s, the pace
    climbs by a fraction of the quota, not of the start."""
    limiter = RateLimiter(reads_per_second=50.0, mutations_per_second=2.0, burst=5, clock=clock,
                          climb_seconds=10.0, penalty_window=0.0)
    for _ in range(3):
        limiter.penalize("read")  # 50 -> 25 -> 12.5 -> 6.25
    saturate(limiter, "read", 1.0, clock)
    assert limiter.rate("read") == pytest.approx(6.25 + 12.5 / 2 / 10, rel=0.05)


def test_the_pace_never_climbs_above_its_ceiling(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=2.0, burst=5, clock=clock,
                          double_seconds=1.0, max_factor=4.0)
    saturate(limiter, "read", 20.0, clock)
    assert limiter.rate("read") == pytest.approx(40.0)


def test_a_throttle_of_one_kind_halves_that_pace_only(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=4.0, burst=1, clock=clock)
    limiter.penalize("mutation")
    assert limiter.rate("mutation") == pytest.approx(2.0)
    assert limiter.rate("read") == pytest.approx(10.0)


def against_a_quota(limiter: RateLimiter, quota: int, seconds: float, clock: FakeClock):
    """A caller that always has work and waits what the limiter says (as the gateway does),
    against AWS throttling above `quota` calls in any second (the emulator's sliding
    window; throttled calls do not count). Returns, over the second half, the pace sampled
    every second and the calls AWS took, and the throttles and calls of the whole run."""
    window: deque[float] = deque()
    end, half = clock.now + seconds, clock.now + seconds / 2
    throttles = calls = took_late = 0
    paces: list[float] = []
    next_sample = half
    while clock.now < end:
        wait = limiter.try_acquire("read")
        if wait > 0:
            clock.advance(max(wait, 1e-4))
        else:
            calls += 1
            while window and window[0] <= clock.now - 1.0:
                window.popleft()
            if len(window) >= quota:
                throttles += 1
                limiter.penalize("read")
            else:
                window.append(clock.now)
                took_late += clock.now >= half
        while clock.now >= next_sample:
            paces.append(limiter.rate("read"))
            next_sample += 1.0
    return paces, took_late, throttles, calls


@pytest.mark.parametrize("quota, start, burst", [
    (40, 5.0, 5),  # a quota far above the start: found by doubling
    (8, 5.0, 20),  # the sandbox benchmark's quota against the operator's start and burst
])
def test_against_a_fixed_quota_the_pace_settles_near_it_with_few_throttles(clock, quota, start, burst):
    """A throttle measures the quota (the calls AWS took in the second before it): the pace
    steps down to 0.9 of it, not to half, and probes back up, so over the second half it
    stays within a tenth of the quota, AWS takes close to the quota every second, and a
    throttle comes about once per climb (20 s)."""
    limiter = RateLimiter(reads_per_second=start, mutations_per_second=1.0, burst=burst, clock=clock)
    paces, took_late, throttles, calls = against_a_quota(limiter, quota, 300.0, clock)
    assert 0.85 * quota <= min(paces) and max(paces) <= 1.1 * quota
    assert sum(paces) / len(paces) >= 0.9 * quota
    assert took_late >= 0.85 * quota * 150.0  # the calls AWS took, not only the pace shown
    assert throttles <= 0.01 * calls and throttles <= 300.0 / 15


def test_right_after_a_throttle_nothing_more_is_sent_until_aws_s_window_has_room(clock):
    """The burst a full bucket lets out fills AWS's window; the calls that follow it in the
    same second would all be throttled, so they wait for the window, not only for tokens."""
    limiter = RateLimiter(reads_per_second=5.0, mutations_per_second=1.0, burst=20, clock=clock)
    for _ in range(9):  # AWS takes 8 (its quota) and throttles the ninth
        assert limiter.try_acquire("read") == 0.0
    limiter.penalize("read")
    assert limiter.rate("read") == pytest.approx(0.9 * 8)  # the quota measured, less a tenth
    clock.advance(0.5)  # the bucket has tokens again, AWS's window is still full
    assert limiter.try_acquire("read") == pytest.approx(0.5)
    assert limiter.spent("read")
    clock.advance(0.5)
    assert limiter.try_acquire("read") == 0.0


def test_the_quota_is_measured_up_to_when_the_throttled_call_was_sent_not_answered(clock):
    """AWS counts calls as they arrive; an answer that takes 0.3 s must not make the calls
    of the window look fewer than AWS took."""
    limiter = RateLimiter(reads_per_second=8.0, mutations_per_second=1.0, burst=1, clock=clock)
    for _ in range(9):  # at AWS's quota of 8 per second; the ninth is one too many
        assert limiter.try_acquire("read") == 0.0
        clock.advance(0.124)
    clock.advance(0.3)
    limiter.penalize("read")
    assert limiter.rate("read") == pytest.approx(0.9 * 8)


def test_once_a_quota_is_known_a_saved_up_burst_stays_within_it(clock):
    """After a quiet spell the bucket holds only what the pace leaves of the quota, so the
    burst and the next second at the pace together stay under it."""
    limiter = RateLimiter(reads_per_second=5.0, mutations_per_second=1.0, burst=20, clock=clock)
    for _ in range(11):  # AWS takes 10 and throttles the eleventh
        limiter.try_acquire("read")
    limiter.penalize("read")  # the pace: 9/s; the bucket: 10 - 9 = 1 token
    clock.advance(60.0)
    assert spend(limiter, "read") == 1


def test_after_a_throttle_a_pace_that_callers_do_not_wait_for_does_not_climb(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=20, clock=clock)
    limiter.penalize("read")
    before = limiter.rate("read")
    for _ in range(600):  # a call every second: the bucket is dry after each, nobody waited
        clock.advance(1.0)
        assert limiter.try_acquire("read") == 0.0
    assert limiter.rate("read") == before


def test_tokens_refill_at_the_penalized_rate(clock):
    limiter = RateLimiter(reads_per_second=4.0, mutations_per_second=1.0, burst=100, clock=clock,
                          climb_seconds=1e9)  # no climb in this test
    limiter.penalize()
    clock.advance(1.0)
    assert spend(limiter, "read") == 2


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(reads_per_second=0, mutations_per_second=1, burst=1)
    with pytest.raises(ValueError):
        RateLimiter(reads_per_second=1, mutations_per_second=1, burst=0)


def test_the_registry_keeps_one_limiter_per_account_and_region(clock):
    registry = LimiterRegistry(reads_per_second=1.0, mutations_per_second=1.0, burst=1, clock=clock)

    first = registry.get("111122223333", "us-east-1")
    assert registry.get("111122223333", "us-east-1") is first
    assert registry.get("111122223333", "eu-west-1") is not first
    assert registry.get("444455556666", "us-east-1") is not first

    assert first.try_acquire("read") == 0.0
    assert first.try_acquire("read") > 0
    assert registry.get("111122223333", "eu-west-1").try_acquire("read") == 0.0


def test_the_registry_hands_out_one_limiter_under_concurrent_first_use():
    registry = LimiterRegistry()
    seen: list[RateLimiter] = []
    barrier = threading.Barrier(8)

    def get() -> None:
        barrier.wait()
        seen.append(registry.get("111122223333", "us-east-1"))

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(limiter) for limiter in seen}) == 1


def test_concurrent_callers_never_get_more_than_the_burst(clock):
    limiter = RateLimiter(reads_per_second=1.0, mutations_per_second=1.0, burst=50, clock=clock)
    granted: list[float] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(100):
            wait = limiter.try_acquire("read")
            with lock:
                granted.append(wait)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(0.0) == 50


@pytest.mark.parametrize("attempt", range(12))
def test_backoff_stays_within_the_exponential_ceiling_and_the_cap(attempt):
    backoff = Backoff(base=0.5, cap=60.0, rng=random.Random(attempt))
    ceiling = min(60.0, 0.5 * 2**attempt)
    delays = [backoff.delay(attempt) for _ in range(200)]
    assert all(0.0 <= delay <= ceiling for delay in delays)
    assert max(delays) > ceiling * 0.8  # full jitter spans the range...
    assert min(delays) < ceiling * 0.2  # ...from near zero


def test_backoff_is_reproducible_with_a_seed():
    first = Backoff(rng=random.Random(42))
    second = Backoff(rng=random.Random(42))
    assert [first.delay(n) for n in range(10)] == [second.delay(n) for n in range(10)]
    assert [first.delay(3) for _ in range(5)] != [first.delay(3)] * 5  # jittered, not fixed


def test_backoff_survives_huge_and_negative_attempts():
    backoff = Backoff(base=1.0, cap=300.0, rng=random.Random(1))
    assert 0.0 <= backoff.delay(10_000) <= 300.0
    assert backoff.ceiling(-3) == 1.0


def test_spent_tells_whether_the_next_call_would_wait_without_taking_a_token(clock):
    limiter = RateLimiter(reads_per_second=1.0, mutations_per_second=1.0, burst=2, clock=clock)
    assert not limiter.spent("mutation")
    assert not limiter.spent("mutation")  # asking takes nothing
    assert spend(limiter, "mutation") == 2
    assert limiter.spent("mutation")
    assert not limiter.spent("read")  # the other bucket is untouched
    clock.advance(1.0)
    assert not limiter.spent("mutation")


def test_throttles_of_one_overshoot_halve_the_rates_once(clock):
    limiter = RateLimiter(reads_per_second=16.0, mutations_per_second=1.0, burst=1, clock=clock,
                          climb_seconds=1e9, penalty_window=1.0)
    for _ in range(8):  # eight calls in flight, all throttled
        limiter.penalize()
    assert limiter.rate("read") == pytest.approx(8.0)
    clock.advance(1.0)
    limiter.penalize()  # still too fast a second later: halve again
    assert limiter.rate("read") == pytest.approx(4.0)


def test_the_read_reserve_is_left_for_priority_callers(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=20, clock=clock, max_factor=1.0, read_reserve=10)

    assert spend(limiter, "read") == 10  # ordinary reads stop at the reserve...
    assert limiter.spent("read")
    assert limiter.try_acquire("read") == pytest.approx(0.1)  # ...and wait for a token above it
    for _ in range(10):  # the sweep's pages still go at once
        assert limiter.try_acquire("read", priority=True) == 0.0
    assert limiter.try_acquire("read", priority=True) == pytest.approx(0.1)
    # Refill goes to the reserve first: ordinary reads wait until it is whole again.
    assert limiter.try_acquire("read") == pytest.approx(1.1)
    clock.advance(1.1)
    assert limiter.try_acquire("read") == 0.0


def test_priority_reads_that_take_the_reserve_raise_the_pace(clock):
    """The syncs reporting transitions read from the reserve; while they take what refills,
    ordinary reads (a new object's first) wait for the reserve to fill again, so the pace
    climbs for them too, not only when the bucket runs dry to its last token."""
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=20, clock=clock, read_reserve=10)
    spend(limiter, "read")  # ordinary reads stop at the reserve
    for _ in range(100):  # ten seconds: a report every 0.1 s takes what refilled
        clock.advance(0.1)
        assert limiter.try_acquire("read", priority=True) == 0.0
        spend(limiter, "read")  # ordinary reads get whatever is above the reserve
    assert limiter.rate("read") > 15.0


def test_the_reserve_costs_no_rate(clock):
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=20, clock=clock, max_factor=1.0, read_reserve=10)
    spend(limiter, "read")
    went = 0
    for _ in range(100):  # ten seconds of ordinary reads, none by the sweep
        clock.advance(0.1)
        went += spend(limiter, "read")
    assert went == 100


def test_the_reserve_is_for_reads_only_and_below_the_burst(clock):
    limiter = RateLimiter(reads_per_second=1.0, mutations_per_second=1.0, burst=3, clock=clock, read_reserve=2)
    assert spend(limiter, "mutation") == 3
    with pytest.raises(ValueError):
        RateLimiter(reads_per_second=1.0, mutations_per_second=1.0, burst=3, read_reserve=3)
    registry = LimiterRegistry(reads_per_second=1.0, mutations_per_second=1.0, burst=3, clock=clock, read_reserve=2)
    assert spend(registry.get("1", "us-east-1"), "read") == 1


def test_after_a_throttle_the_reserve_shrinks_with_the_speed(clock):
    """Refilling a reserve of 10 at a sixteenth of the speed would hold ordinary reads
    back for 16 s after every throttle; scaled with the speed it is always 1 s."""
    limiter = RateLimiter(reads_per_second=10.0, mutations_per_second=1.0, burst=20, clock=clock,
                          read_reserve=10)
    limiter.penalize()  # half speed: 5 reads/s, tokens dropped to 0
    # The bucket now holds what the pace leaves of the quota (10 - 5): a reserve of 4 at
    # 5/s, then a token.
    assert limiter.try_acquire("read") == pytest.approx((1 + 4) / 5)
    assert limiter.try_acquire("read", priority=True) == pytest.approx(1 / 5)
