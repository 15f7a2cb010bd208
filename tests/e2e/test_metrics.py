"""/metrics after a real run: reconciles, their durations, AWS calls by outcome
(a throttle included), per-object readiness and weights, queue depth and objects."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from . import kit


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, metric: str, **labels: str) -> float | None:
    return found.get((metric, tuple(sorted(labels.items()))))


def test_metrics_after_an_endpoint_is_built(operator, control_plane, emulator, namespace):
    throttle = emulator.client.throttle(service="sagemaker", operation="CreateEndpointConfig", count=1)
    try:
        doc = kit.example("realtime.yaml", namespace, rename="observed")
        kit.apply(control_plane, doc, emulator)
        obj = kit.wait_condition(control_plane, namespace, "observed", "Ready", timeout=90)
    finally:
        if any(f["id"] == throttle for f in emulator.client.faults()):  # spent faults remove themselves
            emulator.client.remove_fault(throttle)

    # The object's gauges come from the status the watch delivers: poll until it arrives.
    found = kit.wait_for(
        lambda: (s := samples(operator.metrics())) and value(s, "endpoint_operator_ready",
                                                            namespace=namespace, name="observed") == 1.0 and s,
        timeout=30, what="the Ready gauge")

    ok = value(found, "endpoint_operator_reconciles_total", outcome="ok")
    assert ok is not None and ok >= 2  # at least the create and the sync that saw it InService
    count = value(found, "endpoint_operator_reconcile_duration_seconds_count", outcome="ok")
    assert count == ok
    total = value(found, "endpoint_operator_reconcile_duration_seconds_sum", outcome="ok")
    assert total is not None and total > 0

    def calls(operation: str, outcome: str) -> float:
        return value(found, "endpoint_operator_aws_calls_total", service="sagemaker",
                     operation=operation, outcome=outcome) or 0

    assert calls("CreateEndpoint", "ok") >= 1
    assert calls("DescribeEndpoint", "ok") >= 1
    assert calls("CreateEndpointConfig", "Throttled") >= 1
    assert value(found, "endpoint_operator_aws_throttles_total", service="sagemaker",
                 operation="CreateEndpointConfig", source="aws") == calls("CreateEndpointConfig", "Throttled")

    [variant] = obj["status"]["variants"]
    assert value(found, "endpoint_operator_variant_weight", namespace=namespace, name="observed",
                 variant=variant["name"]) == variant["weight"]
    assert (value(found, "endpoint_operator_objects") or 0) >= 1
    assert value(found, "endpoint_operator_queue_depth") is not None
    assert value(found, "endpoint_operator_leader") == 1.0

    with urllib.request.urlopen(f"http://127.0.0.1:{operator.metrics_port}/healthz", timeout=5) as response:
        assert response.status == 200
    kit.delete(control_plane, namespace, "observed")
    gone = kit.wait_for(
        lambda: value(s := samples(operator.metrics()), "endpoint_operator_ready",
                      namespace=namespace, name="observed") is None and s,
        timeout=30, what="the deleted object's series to go")
    assert gone
