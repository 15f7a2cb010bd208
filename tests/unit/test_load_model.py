"""The load model (plan/load) on cases whose answer is known by hand."""

from __future__ import annotations

import math

import pytest

from endpoint_operator.plan.load import (
    AsyncQueue, Constant, Latency, ModelCaches, RealTimeFleet, ServerlessFleet, Sketch, Step, Trace, VariantLoad,
    parse_trace, profile_from_dict, split_by_weight,
)
from endpoint_operator.plan.load.latency import weighted_percentile


def test_profiles_give_the_rate_at_a_moment():
    assert Constant(7).rate(1e6) == 7
    step = Step(before=5, after=40, at=600)
    assert (step.rate(599), step.rate(600)) == (5, 40)
    trace = Trace(((0, 1), (60, 5), (120, 0)))
    assert [trace.rate(t) for t in (0, 59, 60, 119, 500)] == [1, 1, 5, 5, 0]
    assert trace.end() == 120


def test_profiles_from_the_control_api_and_their_refusals():
    assert profile_from_dict({"kind": "trace", "csv": "seconds,rps\n0,2\n30,4\n"}).rate(31) == 4
    assert profile_from_dict({"kind": "step", "after": 3, "at": 10}).describe() == {
        "kind": "step", "before": 0.0, "after": 3.0, "at": 10.0}
    with pytest.raises(ValueError, match="unknown profile kind"):
        profile_from_dict({"kind": "sine"})
    with pytest.raises(ValueError, match=">= 0"):
        profile_from_dict({"kind": "constant", "rate": -1})
    with pytest.raises(ValueError, match="line 2"):
        parse_trace("0,1\nx,y\n")


def test_routing_follows_the_weights_and_all_zero_routes_nothing():
    assert split_by_weight(100, {"primary": 0.85, "canary": 0.15}) == pytest.approx({"primary": 85, "canary": 15})
    assert split_by_weight(100, {"a": 0, "b": 0}) == {"a": 0, "b": 0}


def test_latency_quantiles_are_those_of_the_queue_plus_an_exponential():
    latency = Latency.mm1(service_rate=10, utilisation=0.5, wait=0.2)
    assert latency.quantile(0.5) == pytest.approx(0.2 + math.log(2) / 5)
    assert latency.quantile(0.99) == pytest.approx(0.2 + math.log(100) / 5)
    assert latency.mean == pytest.approx(0.4)
    assert Latency.mm1(10, 3.0).rate == pytest.approx(10 * 0.05)  # utilisation capped at 0.95


def test_a_sketch_keeps_percentiles_honest_in_bounded_memory():
    sketch = Sketch()
    slow, fast = Latency.mm1(10, 0.8), Latency.mm1(10, 0.2)
    for _ in range(3600):  # an hour of seconds, 2 distributions each
        sketch.add_latency(fast, 90)
        sketch.add_latency(slow, 10)
    values, counts = sketch.values_and_counts()
    assert len(values) < 1000  # not one value per request (360,000 of them)
    assert sum(counts) == pytest.approx(360_000)
    # The mixture's p99, found by bisection on its distribution function.
    def cdf(x):
        return 0.9 * (1 - math.exp(-fast.rate * x)) + 0.1 * (1 - math.exp(-slow.rate * x))
    low, high = 0.0, 10.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < 0.99 else (low, mid)
    assert sketch.quantile(0.99) == pytest.approx(low, rel=0.03)
    assert sketch.total / sketch.requests == pytest.approx(0.9 * fast.mean + 0.1 * slow.mean, rel=0.03)


def test_weighted_percentile_is_nearest_rank():
    assert weighted_percentile([1, 2, 3], [98, 1, 1], 0.99) == 2
    assert weighted_percentile([0, 1], [75, 25], 0.5) == 0


def test_a_fleet_queues_what_it_cannot_serve_and_times_requests_out_after_a_minute():
    fleet = RealTimeFleet(VariantLoad(service_rate=10))
    second = fleet.advance(30, instances=2)  # 10 requests/s more than the fleet serves
    assert second.queue == pytest.approx(10) and second.utilisation == pytest.approx(1.5)
    for _ in range(200):
        second = fleet.advance(30, instances=2)
    assert second.queue == pytest.approx(2 * 10 * 60)  # a minute of the fleet's work at most
    assert second.timed_out == pytest.approx(10)
    assert second.p99_seconds > 60


def test_a_bad_canary_answers_its_error_rate_and_a_slow_model_is_slower():
    bad = RealTimeFleet(VariantLoad(service_rate=10, error_rate=0.2)).advance(5, instances=1)
    assert bad.server_errors == pytest.approx(1.0) and bad.client_errors == 0
    fleet = RealTimeFleet(VariantLoad(service_rate=10, model_rates={"big": 2}))
    second = fleet.advance({"small": 2, "big": 1}, instances=1)
    assert second.utilisation == pytest.approx(2 / 10 + 1 / 2)
    small, big = (lat for lat, _ in second.latencies)
    assert big.quantile(0.99) > 4 * small.quantile(0.99)


def test_a_model_loads_on_its_first_call_and_the_least_recently_used_leaves_a_full_instance():
    caches = ModelCaches(capacity=2, load_seconds=3)
    caches.resize(1)
    first = caches.call(0, {"a": 1, "b": 1})
    assert first.loads == ("a", "b") and first.misses == 2 and first.waits == ((3, 1), (3, 1))
    assert caches.call(3, {"a": 1, "b": 1}).hits == 2
    caches.call(4, {"a": 1})  # b is now the least recently used
    third = caches.call(5, {"c": 1})
    assert third.evictions == ("b",) and caches.held() == [["a", "c"]]
    caches.resize(2)
    assert caches.call(9, {"b": 1}).loaded == (2, 1)  # a new, empty instance takes it


def test_without_caching_every_call_loads_the_model_again():
    caches = ModelCaches(capacity=2, load_seconds=1, caching=False)
    caches.resize(1)
    caches.call(0, {"a": 1})
    assert caches.call(1, {"a": 1}).hits == 1  # loaded by then, served, unloaded
    assert caches.call(2, {"a": 1}).loads == ("a",)


def test_an_async_queue_grows_without_instances_and_drains_oldest_first():
    queue = AsyncQueue(VariantLoad(service_rate=5))
    for t in range(10):
        second = queue.advance(t, 3, instances=0)
    assert second.backlog == 30 and second.backlog_without_capacity and second.oldest_age == 9
    second = queue.advance(10, 0, instances=2)
    assert second.processed == 10 and second.backlog == 20 and second.time_in_backlog[0] == (10, 3)
    assert not second.backlog_without_capacity


def test_serverless_cold_starts_then_serves_warm_and_throttles_past_max_concurrency():
    fleet = ServerlessFleet(VariantLoad(service_rate=4), max_concurrency=2, cold_start_seconds=6, idle_seconds=60)
    first = fleet.advance(0, 10)
    assert (first.cold_starts, first.accepted, first.throttled) == (2, 8, 2)
    assert first.warm_served == 0 and first.cold_waits == ((6, 4), (6, 4))
    warm = fleet.advance(6, 10)
    assert warm.cold_starts == 0 and warm.warm_served == 8 and warm.concurrency == 2
    fleet.advance(200, 0)  # idle past idle_seconds: reclaimed
    assert fleet.advance(201, 1).cold_starts == 1


def test_provisioned_concurrency_is_warm_from_the_start():
    fleet = ServerlessFleet(VariantLoad(service_rate=4), max_concurrency=4, provisioned=1)
    second = fleet.advance(0, 4)
    assert second.cold_starts == 0 and second.warm_served == 4


def test_more_models_in_one_second_than_the_cache_holds_evict_one_not_a_cascade():
    caches = ModelCaches(capacity=3, load_seconds=1)
    caches.resize(1)
    caches.call(0, {"busy": 5, "also-busy": 3, "rare": 1})
    second = caches.call(10, {"busy": 5, "also-busy": 3, "rare": 1, "rarer": 1})
    assert second.evictions == ("rare",) and second.loads == ("rarer",)
    assert sorted(caches.held()[0]) == ["also-busy", "busy", "rarer"]
