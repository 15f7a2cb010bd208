"""Suspension (spec.costControls): the endpoint is deleted and its config, models and
scaling kept; resuming brings back the same serving fleet; a weekly schedule suspends
and resumes it. Against the real API server and the emulator, through kubectl."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from botocore.exceptions import ClientError

from . import kit


def fleet(emulator, endpoint: str) -> dict:
    """What serves: the config, its models and instance types, the counts, the scaling range."""
    sm = kit.client(emulator, "sagemaker")
    described = sm.describe_endpoint(EndpointName=endpoint)
    config = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    targets = kit.client(emulator, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{endpoint}/variant/primary"])["ScalableTargets"]
    return {
        "status": described["EndpointStatus"],
        "config": described["EndpointConfigName"],
        "variants": sorted((v["VariantName"], v["ModelName"], v["InstanceType"], v["InitialInstanceCount"])
                           for v in config["ProductionVariants"]),
        "instances": sorted((v["VariantName"], v.get("CurrentInstanceCount")) for v in described["ProductionVariants"]),
        "scaling": [(t["MinCapacity"], t["MaxCapacity"]) for t in targets],
    }


def endpoint_exists(emulator, endpoint: str) -> bool:
    try:
        kit.client(emulator, "sagemaker").describe_endpoint(EndpointName=endpoint)
        return True
    except ClientError:
        return False


def kubectl_column(control_plane, namespace: str, name: str, column: str) -> str:
    out = control_plane.kubectl("get", "mep", name, "-n", namespace).stdout.splitlines()
    header, row = out[0], out[1]
    start = header.index(column)
    return row[start:].split()[0]


def test_suspend_keeps_config_models_and_scaling_and_resume_brings_the_same_fleet(operator, control_plane,
                                                                                  emulator, namespace):
    kit.apply(control_plane, kit.example("realtime.yaml", namespace, rename="nightly"), emulator)
    obj = kit.wait_condition(control_plane, namespace, "nightly", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    before = fleet(emulator, endpoint)
    assert before["scaling"] == [(2, 6)] and obj["status"]["cost"]["monthlyUSD"] > 0

    kit.patch_spec(control_plane, namespace, "nightly", {"costControls": {"suspended": True}})
    obj = kit.wait_condition(control_plane, namespace, "nightly", "Suspended", reason="SuspendedBySpec", timeout=60)
    obj = kit.wait_for(lambda: (o := kit.get(control_plane, namespace, "nightly"))
                       and kit.condition(o, "Progressing")["status"] == "False" and o, what="the suspension to end")
    assert not endpoint_exists(emulator, endpoint)
    owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
    assert owned["endpoints"] == [] and owned["configs"] == [before["config"]]
    assert sorted(owned["models"]) == sorted({v[1] for v in before["variants"]})
    assert kit.client(emulator, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{endpoint}/variant/primary"])["ScalableTargets"] == []
    assert kit.condition(obj, "Ready")["reason"] == "Suspended"
    assert obj["status"]["cost"]["monthlyUSD"] == 0
    assert obj["status"]["suspension"]["endpointConfig"] == before["config"]
    assert kubectl_column(control_plane, namespace, "nightly", "SUSPENDED") == "True"

    kit.patch_spec(control_plane, namespace, "nightly", {"costControls": {"suspended": False}})
    obj = kit.wait_condition(control_plane, namespace, "nightly", "Ready", timeout=90,
                             generation=obj["metadata"]["generation"] + 1)
    kit.wait_for(lambda: fleet(emulator, endpoint)["scaling"], what="the scalable target again")
    assert fleet(emulator, endpoint) == before
    assert kit.condition(obj, "Suspended")["status"] == "False"
    assert "suspension" not in obj["status"] and obj["status"]["cost"]["monthlyUSD"] > 0
    assert kubectl_column(control_plane, namespace, "nightly", "SUSPENDED") == "False"
    kit.delete(control_plane, namespace, "nightly", timeout=90)


def daily(moment: datetime) -> str:
    return f"{moment.minute} {moment.hour} * * *"


def test_a_schedule_suspends_and_resumes(operator, control_plane, emulator, namespace):
    now = datetime.now(timezone.utc)
    # The suspension fired two minutes ago, the resume comes in three hours.
    night = {"suspend": daily(now - timedelta(minutes=2)), "resume": daily(now + timedelta(hours=3))}
    doc = kit.example("realtime.yaml", namespace, rename="scheduled")
    doc["spec"]["costControls"] = {"schedule": night}
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "scheduled", "Suspended", reason="SuspendedBySchedule",
                             timeout=60)
    resumes = datetime.fromisoformat(obj["status"]["suspension"]["resumesAt"].replace("Z", "+00:00"))
    assert (resumes.hour, resumes.minute) == ((now + timedelta(hours=3)).hour, (now + timedelta(hours=3)).minute)
    assert obj["status"].get("endpoint", {}).get("arn") is None  # never created

    # The schedule now says the resume fired last: it serves, and says when it is suspended again.
    kit.patch_spec(control_plane, namespace, "scheduled", {"costControls": {"schedule": {
        "suspend": daily(now + timedelta(hours=3)), "resume": daily(now - timedelta(minutes=2))}}})
    obj = kit.wait_condition(control_plane, namespace, "scheduled", "Ready", timeout=90)
    suspended = kit.condition(obj, "Suspended")
    assert suspended["status"] == "False" and suspended["reason"] == "ResumedBySchedule"
    assert "suspended again at" in suspended["message"]
    assert endpoint_exists(emulator, obj["status"]["endpoint"]["name"])
    kit.delete(control_plane, namespace, "scheduled", timeout=90)
