"""A shadow step before the canary: the new model as a shadow variant gets a copy of
production traffic while callers see only the primary; a failed gate ends the rollout
there, and no caller was ever sent to the new model."""

from __future__ import annotations

from . import kit
from .test_rollout import (
    alarm, canary_manifest, change_model, model_url, model_url_of, ready_on_v1, reasons, publish_requests, wait_rollout,
    weight_calls,
)


def production_models_served(emulator, endpoint: str) -> list[list[str]]:
    """The models of ProductionVariants (what answers callers) of each config the endpoint was sent to."""
    created = {c["params"]["EndpointConfigName"]: c["params"]
               for c in emulator.client.calls(service="sagemaker", operation="CreateEndpointConfig")}
    updates = [c["params"]["EndpointConfigName"] for c in emulator.client.calls(service="sagemaker", operation="UpdateEndpoint")
               if c["params"]["EndpointName"] == endpoint and c["status"] < 400]
    return [[v["ModelName"] for v in created[name]["ProductionVariants"]] for name in updates]


def test_a_shadow_step_that_fails_its_gate_never_sends_callers_to_the_new_model(operator, control_plane, emulator, namespace):
    gate = {"name": "Invocation5XXErrors", "max": "1%"}  # Average: the error rate
    doc = canary_manifest("shade", namespace, [{"weight": 50, "pause": "1s"}, {"weight": 100}], metrics=[gate])
    doc["spec"]["rollout"]["shadow"] = {"samplingPercent": 20, "pause": "10m"}
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]
    sm = kit.client(emulator, "sagemaker")
    [old_model] = [v["ModelName"] for v in sm.describe_endpoint_config(EndpointConfigName=old_config)["ProductionVariants"]]

    change_model(control_plane, emulator, doc, 2)
    rollout = wait_rollout(control_plane, namespace, "shade", timeout=60, phase="Shadowing",
                           lastGate="Waiting: Invocation5XXErrors Average of the shadow has no data yet")
    # The new model is the shadow: a copy of 20 % of requests, no answers to callers.
    described = sm.describe_endpoint(EndpointName=endpoint)
    assert described["EndpointConfigName"] == rollout["shadowConfig"]
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["primary"]
    [shadow] = sm.describe_endpoint_config(EndpointConfigName=rollout["shadowConfig"])["ShadowProductionVariants"]
    assert (shadow["VariantName"], shadow["InitialVariantWeight"]) == ("shadow", 20.0)
    assert model_url_of(emulator, shadow["ModelName"]) == model_url("shade", 2)

    publish_requests(emulator, endpoint, "shadow", requests=20, errors=5)
    obj = kit.wait_condition(control_plane, namespace, "shade", "Degraded", reason="RolledBack", timeout=60)
    assert "gate failed during the shadow step: Invocation5XXErrors Average of the shadow is 25%" in \
        kit.condition(obj, "Degraded")["message"]
    wait_rollout(control_plane, namespace, "shade", timeout=60, phase="RolledBack")
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == old_config
    # Callers were only ever answered by the old model: no weight moved, and every config
    # the endpoint served had the old model alone in ProductionVariants.
    assert weight_calls(emulator, endpoint) == []
    assert production_models_served(emulator, endpoint) == [[old_model], [old_model]]
    assert {"ShadowStarted", "ShadowStep", "RollingBack", "RolledBack"} <= set(reasons(control_plane, namespace, "shade"))


def test_a_shadow_step_that_passes_hands_over_to_the_canary_steps(operator, control_plane, emulator, namespace):
    name = f"{namespace}-shadow-5xx"
    alarm(emulator, name)
    doc = canary_manifest("lit", namespace, [{"weight": 50, "pause": "1s"}, {"weight": 100}], alarms=[name])
    doc["spec"]["rollout"]["shadow"] = {"samplingPercent": 100, "pause": "2s"}
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]

    change_model(control_plane, emulator, doc, 2)
    shadowing = wait_rollout(control_plane, namespace, "lit", timeout=60, phase="Shadowing")
    obj = kit.wait_condition(control_plane, namespace, "lit", "Ready", generation=2, timeout=120)
    rollout = obj["status"]["rollout"]
    assert rollout["phase"] == "Succeeded" and rollout["fromRevision"] == old_config
    updates = [c["params"]["EndpointConfigName"] for c in emulator.client.calls(service="sagemaker", operation="UpdateEndpoint")
               if c["params"]["EndpointName"] == endpoint and c["status"] < 400]
    assert updates == [shadowing["shadowConfig"], rollout["canaryConfig"], rollout["toRevision"]]
    assert [w["canary"] for _, w in weight_calls(emulator, endpoint)] == [100.0]
    assert model_url_of(emulator, production_models_served(emulator, endpoint)[-1][0]) == model_url("lit", 2)
    assert {"ShadowStarted", "ShadowStep", "ShadowPassed", "RolloutStarted", "RolloutSucceeded"} <= set(
        reasons(control_plane, namespace, "lit"))
    [passed] = [m for _, reason, m in kit.events(control_plane, namespace, "lit") if reason == "ShadowPassed"]
    assert f"alarm {name} is OK" in passed
