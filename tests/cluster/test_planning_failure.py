"""An exception raised while planning an accepted spec ends as a condition a user can
read, never a traceback per second: the sync reports Ready=False / Degraded with the
reason PlanningFailed and the field being planned, and asks to be retried on a bounded
exponential backoff.

The planner is made to raise where it turns a schedule's cron into AWS's form (no spec
the API server accepts raises there any more); the Syncer runs in this process against
the real API server, the way the controller's workers run it. Nothing reaches AWS: the
failure comes before the first call."""

from __future__ import annotations

import json
import random

import pytest

from endpoint_operator.aws.limiter import Backoff
from endpoint_operator.handlers.outcome import Next
from endpoint_operator.handlers.sync import Syncer
from endpoint_operator.handlers.workqueue import WorkQueue
from endpoint_operator.kube.client import KubeGateway, load_api_client
from endpoint_operator.plan import scaling
from cluster.test_crd_validation import apply, crd, manifest  # noqa: F401  (crd: the module fixture)
from unit.test_spec_validation import REALTIME, changed

pytestmark = pytest.mark.cluster

CAP = 60.0
SPEC = changed(REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "min": 1}]}})


class Shortest(random.Random):
    """Full jitter at its floor: the shortest delay the backoff allows."""

    def uniform(self, a: float, b: float) -> float:
        return a


def read(control_plane, namespace: str, name: str) -> dict:
    return json.loads(control_plane.kubectl("get", "mep", name, "-n", namespace, "-o", "json").stdout)


def conditions(obj: dict) -> dict[str, dict]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


@pytest.fixture
def crashing_planner(monkeypatch):
    def boom(expression: str, field: str = "cron") -> str:
        raise RuntimeError("injected planner failure")

    monkeypatch.setattr(scaling, "aws_cron", boom)


def test_a_planner_exception_is_degraded_naming_the_field_and_retried_with_bounded_backoff(
        control_plane, crd, namespace, crashing_planner):  # noqa: F811
    result = apply(control_plane, manifest("crashes", namespace, SPEC))
    assert result.returncode == 0, result.stderr
    kube = KubeGateway(load_api_client(str(control_plane.kubeconfig)))
    syncer = Syncer(kube, aws=None, prices=object())
    queue = WorkQueue(backoff=Backoff(base=1.0, cap=CAP, rng=Shortest()))  # the backoff's one owner
    try:
        delays = []
        for attempt in range(10):
            outcome = syncer.sync(read(control_plane, namespace, "crashes"), attempt).outcome
            assert outcome.next is Next.RETRY and not outcome.limited
            delays.append(queue.backoff_delay(attempt))

        seen = conditions(read(control_plane, namespace, "crashes"))
        assert seen["Ready"]["status"] == "False"
        assert seen["Degraded"]["status"] == "True"
        assert seen["Degraded"]["reason"] == "PlanningFailed"
        message = seen["Degraded"]["message"]
        assert message.startswith("spec.autoscaling.schedules[0].cron:"), message
        assert "RuntimeError: injected planner failure" in message
        # Exponential from the first retry on (never a hot loop), and bounded.
        assert delays[0] >= 0.5
        assert all(later >= earlier for earlier, later in zip(delays, delays[1:]))
        assert delays[5] >= 16.0
        assert max(delays) <= CAP
    finally:
        # No operator runs here to finalize it: let the namespace's cleanup delete it.
        control_plane.kubectl("patch", "mep", "crashes", "-n", namespace, "--type=merge",
                              "-p", '{"metadata":{"finalizers":null}}', check=False)
