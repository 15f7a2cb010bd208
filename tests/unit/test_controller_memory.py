"""What the controller keeps of each watched object: at a thousand objects, every byte
held per object is a megabyte of the operator's memory."""

from __future__ import annotations

from endpoint_operator.handlers.config import OperatorConfig
from endpoint_operator.handlers.controller import Controller


def _event(generation: int) -> dict:
    return {
        "apiVersion": "serving.endpoint-operator.io/v1alpha1", "kind": "ModelEndpoint",
        "metadata": {
            "name": "churn", "namespace": "ml", "uid": "u-1", "generation": generation, "resourceVersion": "7",
            "managedFields": [{"manager": "kubectl-create", "operation": "Update",
                               "fieldsV1": {"f:spec": {"f:region": {}, "f:models": {}}}}],
        },
        "spec": {"region": "us-east-1"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }


def test_the_tracked_body_drops_managed_fields_and_keeps_everything_a_sync_reads():
    controller = Controller(syncer=None, aws=None, config=OperatorConfig())
    event = _event(1)
    controller.observe("ADDED", event)
    controller.observe("MODIFIED", _event(2))
    body = controller.objects[("ml", "churn")].body
    assert "managedFields" not in body["metadata"]
    assert body["metadata"]["generation"] == 2 and body["metadata"]["resourceVersion"] == "7"
    assert body["spec"] == {"region": "us-east-1"} and body["status"]["conditions"][0]["type"] == "Ready"
    assert "managedFields" in event["metadata"]  # the event kopf holds is not changed
