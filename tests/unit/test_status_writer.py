"""StatusWriter: status and conditions written one way, from a decision. A decision
with a status writes all of it (lastTransitionTime kept unless a condition flipped); a
failure that is not the object's (AWS busy or refusing) changes only its conditions;
a rollout's next state can be written ahead of the calls that enact it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from test_plan_kit import bp_of, built, endpoint, realtime_spec

from endpoint_operator.api.status import ModelEndpointStatus, RolloutStatus
from endpoint_operator.kube.status_writer import StatusWriter
from endpoint_operator.plan.failures import aws_rejected, waiting_for_aws
from endpoint_operator.plan.reconcile import reconcile

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 1, 2, tzinfo=timezone.utc)
BP = bp_of(realtime_spec())


class RecordingKube:
    def __init__(self) -> None:
        self.patches: list[dict] = []

    def patch_status(self, namespace: str, name: str, patch: dict) -> None:
        self.patches.append(patch)


def synced_once():
    """An object whose first decision was written at T0."""
    kube = RecordingKube()
    body = {"metadata": {"namespace": "ml", "name": "recs"}, "status": {}}
    decision = reconcile(BP, built(BP, ep=endpoint(BP)), 1, None, now=T0)
    StatusWriter(kube, lambda: T0).report(body, None, decision)
    return kube, body


def by_type(status: dict) -> dict[str, dict]:
    return {c["type"]: c for c in status["conditions"]}


def test_a_decision_writes_the_whole_status_with_its_conditions_stamped():
    kube, body = synced_once()
    [patch] = kube.patches
    assert patch["endpoint"]["status"] == "InService" and patch["observedGeneration"] == 1
    assert {c["type"]: c["status"] for c in patch["conditions"]} == {"Ready": "True", "Progressing": "False",
                                                                      "Degraded": "False"}
    assert all(c["lastTransitionTime"] for c in patch["conditions"])


def test_the_same_decision_again_writes_nothing_and_keeps_the_transition_times():
    kube, body = synced_once()
    previous = ModelEndpointStatus.model_validate(body["status"])
    decision = reconcile(BP, built(BP, ep=endpoint(BP)), 1, previous, now=T1)
    assert StatusWriter(kube, lambda: T1).report(body, previous, decision)
    assert len(kube.patches) == 1  # nothing changed: no patch


def test_aws_busy_changes_progressing_alone():
    kube, body = synced_once()
    before = dict(body["status"])
    previous = ModelEndpointStatus.model_validate(before)
    StatusWriter(kube, lambda: T1).report(body, previous, waiting_for_aws("AWS answered ThrottlingException", 1))
    assert set(kube.patches[-1]) == {"conditions"}
    conditions = by_type(body["status"])
    assert (conditions["Progressing"]["status"], conditions["Progressing"]["reason"]) == ("True", "WaitingForAWS")
    assert conditions["Ready"] == by_type(before)["Ready"]  # Ready keeps what it was, its time too
    assert {k: v for k, v in body["status"].items() if k != "conditions"} == \
        {k: v for k, v in before.items() if k != "conditions"}


def test_aws_refusing_a_call_is_ready_false_and_degraded():
    kube, body = synced_once()
    previous = ModelEndpointStatus.model_validate(body["status"])
    StatusWriter(kube, lambda: T1).report(body, previous, aws_rejected("CreateEndpoint was rejected", 1))
    conditions = by_type(body["status"])
    assert [(conditions[t]["status"], conditions[t]["reason"]) for t in ("Ready", "Degraded", "Progressing")] == \
        [("False", "AwsRejected"), ("True", "AwsRejected"), ("False", "AwsRejected")]
    # Ready flipped: its time moved; Degraded's too.
    assert conditions["Ready"]["lastTransitionTime"] != by_type(kube.patches[0])["Ready"]["lastTransitionTime"]


def test_a_rollouts_next_state_is_written_ahead_alone():
    kube, body = synced_once()
    previous = ModelEndpointStatus.model_validate(body["status"])
    decision = reconcile(BP, built(BP, ep=endpoint(BP)), 1, previous, now=T1)
    ahead = dataclasses.replace(decision, status=decision.status.model_copy(
        update={"rollout": RolloutStatus(phase="Progressing", step=0, weight=15)}))
    assert StatusWriter(kube, lambda: T1).write_ahead(body, previous, ahead)
    assert set(kube.patches[-1]) == {"rollout"} and body["status"]["rollout"]["weight"] == 15
