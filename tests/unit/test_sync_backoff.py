"""How long an object waits after AWS refused a call: a throttle is paced for the whole
account by the limiter, so the object's own backoff stops growing after a few tries; a
server error or an unreachable endpoint backs off exponentially.

The status write goes to a recording stand-in for the Kubernetes gateway: what is
tested is the delay and the flags. tests/e2e/test_throttling.py covers the same path
against the real API server and the emulator."""

from __future__ import annotations

import random

import pytest

from endpoint_operator.aws.errors import Throttled, Transient
from endpoint_operator.aws.limiter import Backoff
from endpoint_operator.handlers.sync import Syncer


class Longest(random.Random):
    """Full jitter at its ceiling: the longest delay the backoff allows."""

    def uniform(self, a: float, b: float) -> float:
        return b


class RecordingKube:
    def __init__(self) -> None:
        self.patches: list[dict] = []

    def patch_status(self, namespace: str, name: str, patch: dict) -> None:
        self.patches.append(patch)


def transient(error: Transient, attempt: int):
    kube = RecordingKube()
    syncer = Syncer(kube, aws=None, backoff=Backoff(base=1.0, cap=300.0, rng=Longest()), prices=object())
    body = {"metadata": {"namespace": "ml", "name": "recs"}, "status": {}}
    where = dict(region="us-east-1", endpoint_name="recs", generation=1)
    return syncer._transient(body, None, error, attempt, where), kube


@pytest.mark.parametrize("attempt, longest", [(0, 1.0), (1, 2.0), (2, 4.0), (6, 4.0), (30, 4.0)])
def test_a_throttled_object_retries_within_seconds_however_often_it_was_throttled(attempt, longest):
    result, kube = transient(Throttled("DescribeEndpoint", "ThrottlingException", "Rate exceeded", retry_after=0.5),
                             attempt)
    assert result.delay == pytest.approx(longest)
    assert result.limited and result.failed_attempt
    [patch] = kube.patches
    assert patch["conditions"][0]["reason"] == "WaitingForAWS"


@pytest.mark.parametrize("attempt, longest", [(0, 1.0), (2, 4.0), (6, 64.0), (30, 300.0)])
def test_a_server_error_backs_off_exponentially_up_to_the_cap(attempt, longest):
    result, _ = transient(Transient("DescribeEndpoint", "InternalFailure", "oops", retry_after=0.5), attempt)
    assert result.delay == pytest.approx(longest)
    assert not result.limited and result.failed_attempt
