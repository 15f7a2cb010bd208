"""Failures a user must be told about, and faults that must not become failures."""

from __future__ import annotations

from endpoint_operator.plan import naming
from endpoint_operator.plan.identity import Owner

from . import kit


def endpoint_of(namespace: str, name: str) -> str:
    return naming.endpoint_name(Owner(namespace=namespace, name=name, uid=""))


def test_a_failed_endpoint_is_degraded_with_sagemakers_reason_and_recovers_on_a_fix(
        operator, control_plane, emulator, namespace):
    reason = "CannotStartContainerError: the primary container exited with code 1"
    emulator.client.fail_next(endpoint_of(namespace, "doomed"), reason, operation="create")
    doc = kit.example("realtime.yaml", namespace, rename="doomed")
    kit.apply(control_plane, doc, emulator)

    obj = kit.wait_condition(control_plane, namespace, "doomed", "Degraded", reason="EndpointFailed", timeout=60)

    assert reason in kit.condition(obj, "Degraded")["message"]
    assert kit.condition(obj, "Ready")["status"] == "False"
    assert obj["status"]["endpoint"]["status"] == "Failed"
    assert obj["status"]["endpoint"]["failureReason"] == reason

    # A failed endpoint cannot be updated; a fixed manifest replaces it.
    fixed = [{**doc["spec"]["models"][0], "modelDataUrl": "s3://example-models/fraud/v13/model.tar.gz"}]
    kit.seed_artifacts(emulator.url, [fixed[0]["modelDataUrl"]])
    kit.patch_spec(control_plane, namespace, "doomed", {"models": fixed})
    obj = kit.wait_condition(control_plane, namespace, "doomed", "Ready", generation=2, timeout=90)
    assert kit.condition(obj, "Degraded")["status"] == "False"


def test_throttling_and_5xx_storms_end_ready_without_a_failure(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace, rename="stormy")
    kit.seed_artifacts(emulator.url, kit.artifact_urls([doc]))
    throttle = emulator.client.throttle(service="sagemaker")
    try:
        kit.apply(control_plane, doc)
        obj = kit.wait_condition(control_plane, namespace, "stormy", "Progressing", reason="WaitingForAWS", timeout=60)
        assert "ThrottlingException" in kit.condition(obj, "Progressing")["message"]
        emulator.client.remove_fault(throttle)
        errors = emulator.client.server_error(service="sagemaker", status=503)
        kit.wait_for(lambda: "ServiceUnavailable" in (kit.condition(kit.get(control_plane, namespace, "stormy"),
                                                                      "Progressing") or {}).get("message", ""),
                     timeout=60, what="the 5xx storm to be reported")
        emulator.client.remove_fault(errors)
    finally:
        emulator.client.clear_faults()

    obj = kit.wait_condition(control_plane, namespace, "stormy", "Ready", timeout=120)
    assert kit.condition(obj, "Degraded")["status"] == "False"
    warnings = [r for t, r, _ in kit.events(control_plane, namespace, "stormy") if t == "Warning"]
    assert "AwsRejected" not in warnings


def test_an_operator_killed_mid_create_neither_duplicates_nor_loses_anything(
        operator, control_plane, emulator, namespace):
    endpoint = endpoint_of(namespace, "phoenix")
    doc = kit.example("realtime.yaml", namespace, rename="phoenix")
    kit.seed_artifacts(emulator.url, kit.artifact_urls([doc]))
    # Hold the config's creation so the kill lands between the model and the endpoint.
    emulator.client.slow(3.0, service="sagemaker", operation="CreateEndpointConfig", count=1)
    start = emulator.client.calls()[-1]["seq"] if emulator.client.calls() else 0
    kit.apply(control_plane, doc)
    kit.wait_for(lambda: [c for c in emulator.client.calls(operation="CreateModel", after=start)
                          if c["params"].get("ModelName", "").startswith(naming.owned_prefix(endpoint))],
                 timeout=60, what="the model to be created")
    operator.kill()
    operator.start()

    obj = kit.wait_condition(control_plane, namespace, "phoenix", "Ready", timeout=90)

    owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
    assert owned["endpoints"] == [endpoint]
    assert len(owned["configs"]) == 1 and len(owned["models"]) == 1
    creates = [c for c in emulator.client.calls(operation="CreateEndpoint", after=start)
               if c["params"].get("EndpointName") == endpoint and c["status"] == 200]
    assert len(creates) == 1


def test_what_only_the_operator_can_judge_ends_not_ready_with_a_reason(operator, control_plane, emulator, namespace):
    cases = {
        # Multi-model containers share one image: the planner refuses two.
        "mixed-images": {
            "mode": "MultiModel", "instances": {"type": "ml.m5.large"},
            "models": [
                {"name": "a", "modelDataUrl": "s3://example-models/a/model.tar.gz", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1"},
                {"name": "b", "modelDataUrl": "s3://example-models/b/model.tar.gz", "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/y:1"},
            ],
        },
        # A model whose artifact sits where the operator would copy multi-model artifacts.
        "self-overlap": {
            "mode": "MultiModel", "instances": {"type": "ml.m5.large"},
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
            "multiModel": {"artifactPrefix": "s3://example-models/shared/"},
            "models": [{"name": "a", "modelDataUrl": "s3://example-models/shared/a.tar.gz"},
                       {"name": "b", "modelDataUrl": "s3://example-models/b/model.tar.gz"}],
        },
        # Mode Auto resolves to Async (200 MB payloads): async endpoints publish no
        # InvocationsPerInstance, which the API server could not know.
        "auto-async-invocations": {
            "instances": {"type": "ml.m5.large", "min": 1, "max": 3},
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
            "models": [{"name": "a", "modelDataUrl": "s3://example-models/a/model.tar.gz"}],
            "traffic": {"maxPayloadMB": 200},
            "async": {"outputPath": "s3://example-models/out/"},
            "autoscaling": {"metric": "InvocationsPerInstance"},
        },
        # Mode Auto resolves to MultiModel (two models, one image): SageMaker hosts no
        # shadow variant there, so the shadow step is refused rather than ignored.
        "auto-multi-model-shadow": {
            "instances": {"type": "ml.m5.large"},
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
            "models": [{"name": "a", "modelDataUrl": "s3://example-models/a/model.tar.gz"},
                       {"name": "b", "modelDataUrl": "s3://example-models/b/model.tar.gz"}],
            "rollout": {"shadow": {"pause": "1h"}, "steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]},
        },
    }
    for name, spec in cases.items():
        kit.apply(control_plane, kit.manifest(name, namespace, spec))
    # AWS refuses what neither the schema nor the planner could know.
    emulator.client.add_fault("error", service="sagemaker", operation="CreateModel", count=1, status=400,
                              code="ValidationException",
                              message="Could not access model data at s3://example-models/gone/model.tar.gz")
    kit.apply(control_plane, kit.manifest("unreachable", namespace, {
        "mode": "RealTime", "instances": {"type": "ml.m5.large"},
        "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
        "models": [{"name": "a", "modelDataUrl": "s3://example-models/gone/model.tar.gz"}]}))

    for name in cases:
        obj = kit.wait_condition(control_plane, namespace, name, "Ready", status="False", reason="InvalidSpec", timeout=60)
        assert "spec." in kit.condition(obj, "Ready")["message"], kit.condition(obj, "Ready")
    shadow = kit.condition(kit.get(control_plane, namespace, "auto-multi-model-shadow"), "Ready")
    assert shadow["message"].startswith("spec.rollout.shadow") and "no shadow variant" in shadow["message"], shadow
    degraded = kit.condition(kit.get(control_plane, namespace, "auto-async-invocations"), "Degraded")
    assert degraded["status"] == "True" and degraded["message"].startswith("spec.autoscaling.metric"), degraded
    obj = kit.wait_condition(control_plane, namespace, "unreachable", "Ready", status="False", reason="AwsRejected", timeout=60)
    assert "Could not access model data" in kit.condition(obj, "Ready")["message"]
    assert operator.process.poll() is None, "the operator must not crash on bad input"
