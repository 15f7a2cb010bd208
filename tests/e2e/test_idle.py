"""The Idle condition (spec.costControls.idleAfter): True once an endpoint has served
for idleAfter without one invocation, with what it costs meanwhile; False again after
an invocation. Invocations of every watched endpoint are read with one GetMetricData.

The operator's sync and its idle sweep run in this process against the real API
server and the emulator, with the operator's clock injected (the planner takes time
as an argument): idleAfter is at least ten minutes, which a test does not wait for.
Invocations are published with PutMetricData, as SageMaker would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3

from endpoint_operator.aws.limiter import LimiterRegistry
from endpoint_operator.aws.session import ClientFactory
from endpoint_operator.handlers.idle import read_invocations, verdict_changes, watched
from endpoint_operator.handlers.sync import Syncer
from endpoint_operator.handlers.wiring import AwsGateways
from endpoint_operator.kube.client import KubeGateway, load_api_client
from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS
from .standby import session_operator_stood_down


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def sync_until(control_plane, syncer: Syncer, namespace: str, name: str, done) -> dict:
    """Sync as the operator's worker would until `done(object)`."""
    seen: list = []

    def step():
        obj = kit.get(control_plane, namespace, name)
        if obj is not None and done(obj):
            return obj
        seen[:] = [syncer.sync(obj), (obj.get("status") or {}).get("conditions")]
        return None
    try:
        return kit.wait_for(step, timeout=60, what=f"{namespace}/{name}")
    except AssertionError as error:
        raise AssertionError(f"{error}; the last sync: {seen}") from None


def status_of(obj: dict, type_: str) -> tuple[str, str] | None:
    c = kit.condition(obj, type_)
    return (c["status"], c["reason"]) if c else None


def test_idle_after_the_configured_time_without_invocations(operator, control_plane, emulator, namespace):
    session = boto3.Session(aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name="us-east-1")
    aws = AwsGateways(ClientFactory(session, endpoint_url=emulator.url),
                      LimiterRegistry(reads_per_second=100, mutations_per_second=100, burst=100))
    clock = Clock()
    syncer = Syncer(KubeGateway(load_api_client(str(control_plane.kubeconfig))), aws, clock=clock)
    with session_operator_stood_down(operator):
        for name in ("quiet", "busy"):
            doc = kit.example("realtime.yaml", namespace, rename=name)
            doc["spec"]["costControls"] = {"idleAfter": "10m"}
            kit.apply(control_plane, doc, emulator)
            obj = sync_until(control_plane, syncer, namespace, name,
                             lambda o: status_of(o, "Ready") == ("True", "EndpointInService"))
            assert status_of(obj, "Idle") == ("False", "ServingForLessThanIdleAfter")
        objects = {name: kit.get(control_plane, namespace, name) for name in ("quiet", "busy")}
        endpoints = {name: obj["status"]["endpoint"]["name"] for name, obj in objects.items()}

        clock.now += timedelta(minutes=11)  # both have served for longer than idleAfter
        kit.client(emulator, "cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[{
            "MetricName": "Invocations", "Value": 3, "Unit": "None", "Timestamp": clock.now - timedelta(minutes=4),
            "Dimensions": [{"Name": "EndpointName", "Value": endpoints["busy"]},
                           {"Name": "VariantName", "Value": "primary"}]}])
        first = kit.wait_for(lambda: emulator.client.calls() or [{"seq": 0}])[-1]["seq"]
        items = [watched((namespace, name), obj) for name, obj in objects.items()]
        readings = read_invocations(aws.cloudwatch("us-east-1"), items, clock())
        assert len(emulator.client.calls(service="cloudwatch", operation="GetMetricData", after=first)) == 1
        assert readings[(namespace, "quiet")].invocations == 0 and readings[(namespace, "busy")].invocations == 3
        for item in items:
            syncer.idle.put(item.key, readings[item.key])
        assert verdict_changes(objects["quiet"], items[0], readings[(namespace, "quiet")], clock())

        quiet = sync_until(control_plane, syncer, namespace, "quiet", lambda o: status_of(o, "Idle")[0] == "True")
        idle = kit.condition(quiet, "Idle")
        assert idle["reason"] == "NoInvocations"
        assert "No invocations over 10m up to" in idle["message"] and "USD a month" in idle["message"]
        assert quiet["status"]["cost"]["idleMonthlyUSD"] == quiet["status"]["cost"]["monthlyUSD"] > 0
        assert status_of(quiet, "Ready") == ("True", "EndpointInService")  # idle is not a failure
        busy = sync_until(control_plane, syncer, namespace, "busy", lambda o: status_of(o, "Idle")[1] == "Invoked")
        assert "idleMonthlyUSD" not in busy["status"]["cost"]

        # An invocation of the quiet one: Idle turns False at the next reading.
        kit.client(emulator, "cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[{
            "MetricName": "Invocations", "Value": 1, "Unit": "None", "Timestamp": clock.now,
            "Dimensions": [{"Name": "EndpointName", "Value": endpoints["quiet"]},
                           {"Name": "VariantName", "Value": "primary"}]}])
        clock.now += timedelta(minutes=1)
        item = watched((namespace, "quiet"), quiet)
        syncer.idle.put(item.key, read_invocations(aws.cloudwatch("us-east-1"), [item], clock())[item.key])
        quiet = sync_until(control_plane, syncer, namespace, "quiet", lambda o: status_of(o, "Idle")[0] == "False")
        assert status_of(quiet, "Idle") == ("False", "Invoked")
        assert "idleMonthlyUSD" not in quiet["status"]["cost"]


def test_the_operator_reads_the_invocations_of_every_watched_endpoint_in_one_call(operator, control_plane, emulator,
                                                                                 namespace, tmp_path):
    """The running operator's idle sweep: one GetMetricData names both endpoints' variants."""
    with session_operator_stood_down(operator):
        process = OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "operator.log",
                                  extra_args=[*FAST_ARGS, "--idle-check-seconds", "1", "--namespace", namespace])
        with process:
            names = ("watched-one", "watched-two")
            for name in names:
                doc = kit.example("realtime.yaml", namespace, rename=name)
                doc["spec"]["costControls"] = {"idleAfter": "10m"}
                kit.apply(control_plane, doc, emulator)
            objects = [kit.wait_condition(control_plane, namespace, name, "Idle", status="False",
                                          reason="ServingForLessThanIdleAfter", timeout=90) for name in names]
            endpoints = {o["status"]["endpoint"]["name"] for o in objects}

            def one_call_for_both():
                for call in reversed(emulator.client.calls(service="cloudwatch", operation="GetMetricData")):
                    queried = {d["Value"] for q in call["params"]["MetricDataQueries"]
                               for d in q["MetricStat"]["Metric"]["Dimensions"] if d["Name"] == "EndpointName"}
                    if endpoints <= queried:
                        return call
                return None
            call = kit.wait_for(one_call_for_both, timeout=30, what="one GetMetricData for both endpoints")
            assert {q["MetricStat"]["Metric"]["MetricName"] for q in call["params"]["MetricDataQueries"]} == {
                "Invocations"}
            for name in names:
                kit.delete(control_plane, namespace, name, timeout=90)
