"""What a sync hands back after AWS refused a call: a throttle is paced for the whole
account by the limiter, so the object retries when AWS's hint says, as a limited retry
whose delay never grows; a server error or an unreachable endpoint is a failed retry,
which the work queue backs off exponentially (tests/unit/test_controller_pacing.py).

The status write goes to a recording stand-in for the Kubernetes gateway: what is
tested is the outcome. tests/e2e/test_throttling.py covers the same path against the
real API server and the emulator."""

from __future__ import annotations

import pytest

from endpoint_operator.aws.errors import Throttled, Transient
from endpoint_operator.handlers.outcome import retry
from endpoint_operator.handlers.sync import Syncer


class RecordingKube:
    def __init__(self) -> None:
        self.patches: list[dict] = []

    def patch_status(self, namespace: str, name: str, patch: dict) -> None:
        self.patches.append(patch)


def transient(error: Transient, attempt: int):
    kube = RecordingKube()
    syncer = Syncer(kube, aws=None, prices=object())
    body = {"metadata": {"namespace": "ml", "name": "recs"}, "status": {}}
    where = dict(region="us-east-1", endpoint_name="recs", generation=1)
    return syncer._transient(body, None, error, attempt, where), kube


@pytest.mark.parametrize("attempt", [0, 1, 2, 6, 30])
def test_a_throttled_object_retries_within_seconds_however_often_it_was_throttled(attempt):
    result, kube = transient(Throttled("DescribeEndpoint", "ThrottlingException", "Rate exceeded", retry_after=0.5),
                             attempt)
    assert result.outcome == retry(0.5, limited=True)
    [patch] = kube.patches
    assert patch["conditions"][0]["reason"] == "WaitingForAWS"


@pytest.mark.parametrize("attempt", [0, 2, 30])
def test_a_server_error_is_a_failed_retry_for_the_queue_to_back_off(attempt):
    result, _ = transient(Transient("DescribeEndpoint", "InternalFailure", "oops", retry_after=0.5), attempt)
    assert result.outcome == retry(0.5)
