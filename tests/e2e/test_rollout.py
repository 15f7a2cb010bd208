"""Canary rollouts end to end, with pauses of seconds: a model change walks its
steps, an alarm rolls it back, an operator killed mid-pause resumes the same step,
and promote and abort work by annotation."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from . import kit

ANNOTATION = "endpoint-operator.io/rollout"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def model_url(name: str, version: int) -> str:
    return f"s3://example-models/{name}/v{version}/model.tar.gz"


def canary_manifest(name: str, namespace: str, steps: list[dict], alarms: list[str] | None = None,
                    version: int = 1, interval: str = "10s", metrics: list[dict] | None = None) -> dict:
    rollout: dict = {"steps": steps}
    if alarms or metrics:
        rollout["analysis"] = {"interval": interval, **({"alarms": alarms} if alarms else {}),
                               **({"metrics": metrics} if metrics else {})}
    return kit.manifest(name, namespace, {
        "mode": "RealTime",
        "image": IMAGE,
        "models": [{"name": name, "modelDataUrl": model_url(name, version)}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
        "rollout": rollout,
    })


def alarm(emulator, name: str, state: str = "OK") -> None:
    cloudwatch = kit.client(emulator, "cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                                Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=0.01,
                                ComparisonOperator="GreaterThanThreshold")
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")


def publish_requests(emulator, endpoint: str, variant: str, requests: int, errors: int) -> None:
    """What SageMaker publishes per request: Invocation5XXErrors 1 for a 5xx, else 0."""
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]
    now = datetime.now(timezone.utc)
    kit.client(emulator, "cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[
        {"MetricName": "Invocation5XXErrors", "Dimensions": dims, "Value": 1.0 if i < errors else 0.0, "Timestamp": now}
        for i in range(requests)])


def ready_on_v1(control_plane, emulator, doc) -> dict:
    namespace, name = doc["metadata"]["namespace"], doc["metadata"]["name"]
    kit.apply(control_plane, doc, emulator)
    return kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)


def change_model(control_plane, emulator, doc, version: int) -> None:
    url = model_url(doc["metadata"]["name"], version)
    kit.seed_artifacts(emulator.url, [url])
    models = [{**doc["spec"]["models"][0], "modelDataUrl": url}]
    kit.patch_spec(control_plane, doc["metadata"]["namespace"], doc["metadata"]["name"], {"models": models})


def annotate(control_plane, namespace: str, name: str, value: str) -> None:
    control_plane.kubectl("annotate", "mep", name, "-n", namespace, "--overwrite", f"{ANNOTATION}={value}")


def rollout_of(control_plane, namespace: str, name: str) -> dict:
    return ((kit.get(control_plane, namespace, name) or {}).get("status") or {}).get("rollout") or {}


def wait_rollout(control_plane, namespace: str, name: str, timeout: float = 60, **fields) -> dict:
    def probe():
        rollout = rollout_of(control_plane, namespace, name)
        return rollout if all(rollout.get(k) == v for k, v in fields.items()) else None
    return kit.wait_for(probe, timeout, what=f"rollout of {namespace}/{name} with {fields}")


def weight_calls(emulator, endpoint: str) -> list[tuple[float, dict[str, float]]]:
    """(time, {variant: weight}) of each UpdateEndpointWeightsAndCapacities the endpoint got."""
    calls = emulator.client.calls(service="sagemaker", operation="UpdateEndpointWeightsAndCapacities")
    return [(c["timestamp"], {row["VariantName"]: row["DesiredWeight"] for row in c["params"]["DesiredWeightsAndCapacities"]
                              if "DesiredWeight" in row})
            for c in calls if c["params"].get("EndpointName") == endpoint and c["status"] < 400
            and any("DesiredWeight" in row for row in c["params"]["DesiredWeightsAndCapacities"])]


def capacity_calls(emulator, endpoint: str) -> list[list[tuple[str, str, float]]]:
    """Each UpdateEndpointWeightsAndCapacities as [(variant, field, value)], in order."""
    calls = emulator.client.calls(service="sagemaker", operation="UpdateEndpointWeightsAndCapacities")
    return [[(row["VariantName"], key, row[key]) for row in c["params"]["DesiredWeightsAndCapacities"]
             for key in ("DesiredWeight", "DesiredInstanceCount") if key in row]
            for c in calls if c["params"].get("EndpointName") == endpoint and c["status"] < 400]


def canary_weights(emulator, endpoint: str) -> list[float]:
    return [weights["canary"] for _, weights in weight_calls(emulator, endpoint)]


def serving_variants(emulator, endpoint: str) -> list[tuple[str, str]]:
    sm = kit.client(emulator, "sagemaker")
    config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    return [(v["VariantName"], v["ModelName"]) for v in sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]]


def model_url_of(emulator, model: str) -> str:
    return kit.client(emulator, "sagemaker").describe_model(ModelName=model)["PrimaryContainer"]["ModelDataUrl"]


def reasons(control_plane, namespace: str, name: str) -> list[str]:
    return [reason for _, reason, _ in kit.events(control_plane, namespace, name)]


def printed_row(control_plane, namespace: str, name: str) -> dict[str, str]:
    """`kubectl get mep <name>` as the user reads it: its columns by header."""
    header, row = control_plane.kubectl("get", "mep", name, "-n", namespace).stdout.rstrip("\n").splitlines()
    starts = [header.index(column) for column in header.split()]
    return {column: row[start:end].strip() for column, start, end in zip(header.split(), starts, starts[1:] + [None])}


def test_a_model_change_walks_15_50_100_and_ends_on_the_new_model_alone(operator, control_plane, emulator, namespace):
    alarm(emulator, f"{namespace}-walk-5xx")
    steps = [{"weight": 15, "pause": "2s"}, {"weight": 50, "pause": "2s"}, {"weight": 100}]
    doc = canary_manifest("walk", namespace, steps, alarms=[f"{namespace}-walk-5xx"])
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint = obj["status"]["endpoint"]["name"]
    old_config = obj["status"]["endpoint"]["configName"]

    change_model(control_plane, emulator, doc, 2)
    obj = kit.wait_condition(control_plane, namespace, "walk", "Ready", generation=2, timeout=120)

    assert canary_weights(emulator, endpoint) == [50.0, 100.0]
    assert [w["primary"] for _, w in weight_calls(emulator, endpoint)] == [50.0, 0.0]  # never summing to 0
    rollout = obj["status"]["rollout"]
    assert rollout["phase"] == "Succeeded" and rollout["progress"] == "3/3"
    # What described a step or an update in flight is gone from status once it is over.
    assert "pauseEndsAt" not in rollout and "targetConfig" not in obj["status"]["endpoint"]
    # The first step came with the two-variant config: 15 % on the canary from the start.
    sm = kit.client(emulator, "sagemaker")
    created = [c["params"] for c in emulator.client.calls(service="sagemaker", operation="CreateEndpointConfig")
               if c["params"]["EndpointConfigName"] == rollout["canaryConfig"]]
    assert [(v["VariantName"], v["InitialVariantWeight"]) for v in created[0]["ProductionVariants"]] == [
        ("primary", 85.0), ("canary", 15.0)]
    updates = [c["params"]["EndpointConfigName"] for c in emulator.client.calls(service="sagemaker", operation="UpdateEndpoint")
               if c["params"]["EndpointName"] == endpoint]
    assert updates == [rollout["canaryConfig"], rollout["toRevision"]]
    # Each pause held: the 100 % shift came at least a pause after the 50 % one.
    (t50, _), (t100, _) = weight_calls(emulator, endpoint)
    assert t100 - t50 >= 2.0
    [(variant, model)] = serving_variants(emulator, endpoint)
    assert variant == "primary" and model_url_of(emulator, model) == model_url("walk", 2)
    # What the rollout no longer uses is collected: the old config, the canary config, the old model.
    def collected():
        owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
        return owned if len(owned["configs"]) == 1 and len(owned["models"]) == 1 else None

    owned = kit.wait_for(collected, timeout=30, what="superseded configs and models to be collected")
    assert old_config not in owned["configs"] and rollout["canaryConfig"] not in owned["configs"]
    assert {"RolloutStarted", "CanaryStep", "ShiftTraffic", "RolloutSucceeded"} <= set(reasons(control_plane, namespace, "walk"))


def test_an_alarm_during_the_50_percent_step_rolls_back_to_the_primary_alone(operator, control_plane, emulator, namespace):
    name = f"{namespace}-guard-5xx"
    alarm(emulator, name)
    steps = [{"weight": 15, "pause": "1s"}, {"weight": 50, "pause": "10m"}, {"weight": 100}]
    doc = canary_manifest("guard", namespace, steps, alarms=[name])
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]

    change_model(control_plane, emulator, doc, 2)
    wait_rollout(control_plane, namespace, "guard", timeout=60, step=1, weight=50, phase="Progressing",
                 lastGate=f"Passed: alarm {name} is OK")
    alarm(emulator, name, "ALARM")

    # The analysis interval is 10 s (the shortest allowed): the canary's weight goes to 0
    # at the next judgement.
    kit.wait_for(lambda: canary_weights(emulator, endpoint)[-1:] == [0.0], timeout=30, what="canary weight 0")
    kit.wait_condition(control_plane, namespace, "guard", "Degraded", reason="RolledBack", timeout=60)
    wait_rollout(control_plane, namespace, "guard", timeout=60, phase="RolledBack")
    obj = kit.get(control_plane, namespace, "guard")
    assert canary_weights(emulator, endpoint) == [50.0, 0.0]
    degraded = kit.condition(obj, "Degraded")
    assert f"alarm {name} is ALARM" in degraded["message"] and "step 2 of 3" in degraded["message"]
    assert kit.condition(obj, "Ready")["status"] == "False"
    sm = kit.client(emulator, "sagemaker")
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == old_config
    [(variant, model)] = serving_variants(emulator, endpoint)
    assert variant == "primary" and model_url_of(emulator, model) == model_url("guard", 1)
    assert "RolledBack" in reasons(control_plane, namespace, "guard")
    # kubectl's columns: traffic back on the primary, the canary at 0, the step it failed at.
    row = printed_row(control_plane, namespace, "guard")
    assert (row["VARIANTS"], row["CANARY"], row["STEP"], row["ROLLOUT"]) == ("primary=100", "0", "2/3", "RolledBack")

    # It stays rolled back while the spec stands, even with the alarm OK again; a retry starts over.
    alarm(emulator, name, "OK")
    annotate(control_plane, namespace, "guard", "retry")
    wait_rollout(control_plane, namespace, "guard", timeout=60, step=1, weight=50, handledCommand="retry")
    assert canary_weights(emulator, endpoint) == [50.0, 0.0, 50.0]


def test_an_operator_killed_mid_pause_resumes_the_same_step(operator, control_plane, emulator, namespace):
    steps = [{"weight": 15, "pause": "1s"}, {"weight": 50, "pause": "20s"}, {"weight": 100}]
    doc = canary_manifest("sturdy", namespace, steps)
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint = obj["status"]["endpoint"]["name"]

    change_model(control_plane, emulator, doc, 2)
    before = wait_rollout(control_plane, namespace, "sturdy", timeout=60, step=1, weight=50, phase="Progressing")
    started = datetime.fromisoformat(before["stepStartedAt"].replace("Z", "+00:00")).timestamp()
    # Some of the pause goes by first, so a pause restarted on restart would show.
    kit.wait_for(lambda: time.time() >= started + 5, timeout=30, what="5 s of the 20 s pause")
    killed_at = time.time()
    operator.kill()
    operator.start()

    obj = kit.wait_condition(control_plane, namespace, "sturdy", "Ready", generation=2, timeout=120)
    assert canary_weights(emulator, endpoint) == [50.0, 100.0]  # the 50 % shift was not sent again
    (_, _), (t100, _) = weight_calls(emulator, endpoint)
    assert t100 >= started + 20  # the pause was honoured, not cut short...
    assert t100 < killed_at + 20  # ...and not started over by the restart
    assert obj["status"]["rollout"]["phase"] == "Succeeded"


def test_a_step_without_a_pause_waits_for_promote_and_abort_rolls_back(operator, control_plane, emulator, namespace):
    name = f"{namespace}-manual-5xx"
    alarm(emulator, name)
    doc = canary_manifest("manual", namespace, [{"weight": 20}, {"weight": 100}], alarms=[name])
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]

    change_model(control_plane, emulator, doc, 2)
    # Judged (the gate passes) and still holding: only a promotion moves it on.
    rollout = wait_rollout(control_plane, namespace, "manual", timeout=60, phase="AwaitingPromotion",
                           lastGate=f"Passed: alarm {name} is OK")
    assert rollout["weight"] == 20 and "pauseEndsAt" not in rollout
    obj = kit.wait_condition(control_plane, namespace, "manual", "Progressing", reason="AwaitingPromotion", timeout=30)
    assert canary_weights(emulator, endpoint) == []

    annotate(control_plane, namespace, "manual", "promote")
    obj = kit.wait_condition(control_plane, namespace, "manual", "Ready", generation=2, timeout=90)
    assert canary_weights(emulator, endpoint) == [100.0]
    assert obj["status"]["rollout"]["handledCommand"] == "promote"
    assert "RolloutPromoted" in reasons(control_plane, namespace, "manual")
    promoted_config = obj["status"]["endpoint"]["configName"]
    assert promoted_config != old_config

    # The same annotation does nothing more; abort rolls the next rollout back.
    change_model(control_plane, emulator, doc, 3)
    wait_rollout(control_plane, namespace, "manual", timeout=60, phase="AwaitingPromotion", weight=20)
    annotate(control_plane, namespace, "manual", "abort")
    obj = kit.wait_condition(control_plane, namespace, "manual", "Degraded", reason="RolledBack", timeout=60)
    assert "aborted by annotation" in kit.condition(obj, "Degraded")["message"]
    kit.wait_for(lambda: rollout_of(control_plane, namespace, "manual").get("phase") == "RolledBack", timeout=60,
                 what="RolledBack")
    sm = kit.client(emulator, "sagemaker")
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == promoted_config
    assert canary_weights(emulator, endpoint) == [100.0, 0.0]
    assert "RollingBack" in reasons(control_plane, namespace, "manual")


def test_a_ratio_gate_is_judged_while_both_variants_serve_and_the_100_percent_step_promotes(
        operator, control_plane, emulator, namespace):
    gate = {"name": "Invocation5XXErrors", "maxRatioToPrimary": 1.5}  # Average: the error rate
    doc = canary_manifest("ratio", namespace, [{"weight": 15, "pause": "2s"}, {"weight": 100}], metrics=[gate])
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint = obj["status"]["endpoint"]["name"]

    change_model(control_plane, emulator, doc, 2)
    wait_rollout(control_plane, namespace, "ratio", timeout=60, phase="Progressing", step=0)
    publish_requests(emulator, endpoint, "canary", requests=15, errors=1)
    publish_requests(emulator, endpoint, "primary", requests=85, errors=5)
    # At 100 % only the canary takes requests: the primary publishes nothing any more.
    wait_rollout(control_plane, namespace, "ratio", timeout=60, step=1, weight=100)
    publish_requests(emulator, endpoint, "canary", requests=100, errors=1)

    obj = kit.wait_condition(control_plane, namespace, "ratio", "Ready", generation=2, timeout=120)
    rollout = obj["status"]["rollout"]
    assert rollout["phase"] == "Succeeded"
    assert "maxRatioToPrimary is not judged while the primary takes no traffic" in rollout["lastGate"]
    assert canary_weights(emulator, endpoint) == [100.0]
def test_the_canary_gets_capacity_before_traffic_and_the_primary_keeps_its_fleet_for_a_rollback(
        operator, control_plane, emulator, namespace):
    doc = canary_manifest("fleet", namespace, [{"weight": 50, "pause": "1s"}, {"weight": 100, "pause": "1h"}])
    doc["spec"]["instances"] = {"type": "ml.m5.large", "min": 1, "max": 4}
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint = obj["status"]["endpoint"]["name"]
    autoscaling = kit.client(emulator, "application-autoscaling")

    def target(variant: str):
        found = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker",
                                                      ResourceIds=[f"endpoint/{endpoint}/variant/{variant}"])["ScalableTargets"]
        return (found[0]["MinCapacity"], found[0]["MaxCapacity"]) if found else None
    kit.wait_for(lambda: target("primary") == (1, 4), timeout=60, what="the primary's target")
    sm = kit.client(emulator, "sagemaker")
    kit.scale_out(emulator, endpoint, 4)
    before = len(capacity_calls(emulator, endpoint))

    change_model(control_plane, emulator, doc, 2)
    rollout = wait_rollout(control_plane, namespace, "fleet", timeout=90, phase="Progressing", weight=100)
    # The canary took 50 % with half the primary's fleet, and got all of it before 100 %.
    created = [c["params"] for c in emulator.client.calls(service="sagemaker", operation="CreateEndpointConfig")
               if c["params"]["EndpointConfigName"] == rollout["canaryConfig"]]
    assert [(v["VariantName"], v["InitialInstanceCount"]) for v in created[0]["ProductionVariants"]] == [
        ("primary", 4), ("canary", 2)]
    # Written ahead: the status says 100 % before the calls that enact it went out.
    kit.wait_for(lambda: canary_weights(emulator, endpoint) == [100.0], timeout=60, what="the 100 % shift")
    assert capacity_calls(emulator, endpoint)[before:] == [
        [("canary", "DesiredInstanceCount", 4)],
        [("canary", "DesiredWeight", 100.0), ("primary", "DesiredWeight", 0.0)],
    ]
    assert rollout["primaryInstances"] == 4
    # Both variants are autoscaled; the idle primary may not be scaled in below its fleet.
    kit.wait_for(lambda: target("primary") == (4, 4) and target("canary") == (4, 4), timeout=60,
                 what="targets of both variants")

    annotate(control_plane, namespace, "fleet", "abort")
    kit.wait_for(lambda: rollout_of(control_plane, namespace, "fleet").get("phase") == "RolledBack", timeout=90,
                 what="RolledBack")
    serving = sm.describe_endpoint(EndpointName=endpoint)
    assert serving["EndpointConfigName"] == obj["status"]["endpoint"]["configName"]
    [primary] = serving["ProductionVariants"]
    assert (primary["VariantName"], primary["CurrentInstanceCount"]) == ("primary", 4)
