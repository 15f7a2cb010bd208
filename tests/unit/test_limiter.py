"""The client-side limiter and backoff, on an injected clock and a seeded random."""

from __future__ import annotations

import random
import threading

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


def test_against_a_fixed_quota_the_pace_settles_near_it_with_few_throttles(clock):
    """AWS throttling above 40 calls/s: the pace found stays between half the quota and
    the quota, most of the time near it, and throttles come once per climb."""
    quota = 40.0
    limiter = RateLimiter(reads_per_second=5.0, mutations_per_second=1.0, burst=5, clock=clock)
    window: list[float] = []
    throttles, calls, paces = 0, 0, []
    for tick in range(30_000):  # 300 s of a caller that always has work
        clock.advance(0.01)
        while limiter.try_acquire("read") == 0.0:
            window[:] = [t for t in window if t > clock.now - 1.0]
            if len(window) >= quota:  # the emulator's sliding one-second window
                throttles += 1
                limiter.penalize("read")
                continue
            window.append(clock.now)
            calls += 1
        if tick >= 10_000 and tick % 100 == 0:
            paces.append(limiter.rate("read"))
    assert quota / 2 <= min(paces) and max(paces) <= quota * 1.5
    assert sum(paces) / len(paces) >= 0.6 * quota
    assert throttles <= 0.01 * calls  # fewer than one call in a hundred


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
    assert limiter.try_acquire("read") == pytest.approx((1 + 5) / 5)  # reserve of 5 at 5/s, then a token
    assert limiter.try_acquire("read", priority=True) == pytest.approx(1 / 5)
