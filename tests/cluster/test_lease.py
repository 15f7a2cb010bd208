"""Leader election against a real API server: one leader at a time, takeover after
the leader stops (released lease) or dies (expired lease), and a leader that cannot
renew stops acting before anyone else may start."""

from __future__ import annotations

import asyncio
import time

import pytest

from endpoint_operator.handlers.leadership import Leadership
from endpoint_operator.kube.client import load_api_client
from endpoint_operator.kube.lease import LeaseElector, LeaseSettings

FAST = dict(lease_duration=2.0, renew_deadline=1.5, retry_period=0.25)


def electors(control_plane, namespace: str, count: int, **overrides) -> list[LeaseElector]:
    settings = LeaseSettings(name="operator", namespace=namespace, **{**FAST, **overrides})
    api = load_api_client(str(control_plane.kubeconfig))
    return [LeaseElector(api, settings, identity=f"replica-{i}") for i in range(count)]


def poll(probe, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not true within {timeout}s")


def test_only_one_candidate_wins_and_renews(control_plane, namespace):
    a, b = electors(control_plane, namespace, 2)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    for _ in range(3):
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()
    assert a.holder() == "replica-0"


def test_a_released_lease_passes_at_once(control_plane, namespace):
    a, b = electors(control_plane, namespace, 2, lease_duration=60.0, renew_deadline=30.0)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    a.release()
    assert b.try_acquire_or_renew()
    assert b.holder() == "replica-1"
    assert not a.try_acquire_or_renew()


def test_a_dead_leaders_lease_is_taken_only_after_it_expires(control_plane, namespace):
    a, b = electors(control_plane, namespace, 2)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()  # b starts its own clock on a's record here
    observed = time.monotonic()
    taken = poll(lambda: b.try_acquire_or_renew() and time.monotonic())
    assert taken - observed >= FAST["lease_duration"]
    assert b.holder() == "replica-1"
    lease = control_plane.kubectl("get", "lease", "operator", "-n", namespace,
                                  "-o", "jsonpath={.spec.leaseTransitions}").stdout
    assert lease == "1"


def test_racing_candidates_never_both_win(control_plane, namespace):
    from concurrent.futures import ThreadPoolExecutor
    candidates = electors(control_plane, namespace, 6)
    with ThreadPoolExecutor(len(candidates)) as pool:
        results = list(pool.map(lambda e: e.try_acquire_or_renew(), candidates))
    assert results.count(True) == 1
    assert candidates[results.index(True)].identity == candidates[0].holder()


def test_leadership_runs_one_controller_and_hands_over(control_plane, namespace):
    acting: dict[str, bool] = {}

    async def scenario():
        a_elector, b_elector = electors(control_plane, namespace, 2)
        both_acting = []

        def gate(name):
            async def started():
                acting[name] = True
                both_acting.append(sum(acting.values()) > 1)

            async def stopped():
                acting[name] = False
            return started, stopped

        a = Leadership(a_elector, *gate("a"))
        b = Leadership(b_elector, *gate("b"))
        await a.start()
        await _until(lambda: acting.get("a"))
        await b.start()
        for _ in range(10):  # b stays a follower while a renews
            await asyncio.sleep(FAST["retry_period"])
            assert not acting.get("b")
        await a.stop()  # releases: b takes over without waiting out the lease
        assert acting["a"] is False
        await _until(lambda: acting.get("b"), timeout=5)
        await b.stop()
        assert not any(both_acting)

    asyncio.run(scenario())


def test_a_leader_that_cannot_renew_stops_before_the_lease_expires(control_plane, namespace):
    """The lease is taken away behind the leader's back (as after a partition): it
    must stop acting on its own, within the renew deadline."""
    events: list[tuple[str, float]] = []

    async def scenario():
        [elector] = electors(control_plane, namespace, 1)

        async def started():
            events.append(("started", time.monotonic()))

        async def stopped():
            events.append(("stopped", time.monotonic()))

        leadership = Leadership(elector, started, stopped)
        await leadership.start()
        await _until(lambda: leadership.leading)
        control_plane.kubectl("patch", "lease", "operator", "-n", namespace, "--type=merge",
                              "-p", '{"spec":{"holderIdentity":"someone-else"}}')
        await _until(lambda: not leadership.leading, timeout=FAST["renew_deadline"] + 1)
        await leadership.stop()

    asyncio.run(scenario())
    assert [name for name, _ in events] == ["started", "stopped"]


async def _until(probe, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("durations", [dict(lease_duration=2, renew_deadline=2, retry_period=1),
                                       dict(lease_duration=5, renew_deadline=2, retry_period=3)])
def test_settings_refuse_a_deadline_that_outlives_the_lease(durations):
    with pytest.raises(ValueError):
        LeaseSettings(**durations)
