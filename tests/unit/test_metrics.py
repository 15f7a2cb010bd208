"""The metrics collector over controller state: what status carries becomes gauges,
CallStats becomes counters once (never counted anywhere else)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from endpoint_operator.aws.stats import LIMITED, OK, CallStats
from endpoint_operator.handlers.config import OperatorConfig
from endpoint_operator.handlers.controller import Controller, Tracked
from endpoint_operator.handlers.metrics import OperatorMetrics


def body(name: str, generation: int, status: dict) -> dict:
    return {"metadata": {"namespace": "ml", "name": name, "generation": generation}, "status": status}


def scrape(metrics: OperatorMetrics) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for s in family.samples
    }


def test_status_becomes_per_object_gauges_and_stats_become_counters():
    controller = Controller(syncer=None, aws=None, config=OperatorConfig(workers=1))
    ready = {"type": "Ready", "status": "True", "observedGeneration": 3}
    controller.objects[("ml", "canary")] = Tracked(body=body("canary", 3, {
        "conditions": [ready],
        "rollout": {"phase": "AwaitingPromotion", "step": 1, "weight": 50},
        "variants": [{"name": "primary", "weight": 50}, {"name": "canary", "weight": 50}],
    }))
    stale = {**ready, "observedGeneration": 1}
    controller.objects[("ml", "stale")] = Tracked(body=body("stale", 2, {"conditions": [stale]}))
    stats = CallStats()
    for outcome in (OK, OK, "Throttled", LIMITED):
        stats.record("sagemaker", "DescribeEndpoint", outcome)
    metrics = OperatorMetrics(controller, stats, leading=lambda: False)
    metrics.record_sync("ok", 0.2)
    metrics.record_sync("error", 3.0)

    found = scrape(metrics)

    def at(metric: str, **labels: str) -> float | None:
        return found.get((metric, tuple(sorted(labels.items()))))

    ids = dict(namespace="ml", name="canary")
    assert at("endpoint_operator_rollout_step", **ids) == 1
    assert at("endpoint_operator_canary_weight_percent", **ids) == 50
    assert at("endpoint_operator_rollout_phase", **ids, phase="AwaitingPromotion") == 1
    assert at("endpoint_operator_variant_weight", **ids, variant="canary") == 50
    assert at("endpoint_operator_ready", **ids) == 1
    assert at("endpoint_operator_ready", namespace="ml", name="stale") == 0
    assert at("endpoint_operator_rollout_step", namespace="ml", name="stale") is None
    call = dict(service="sagemaker", operation="DescribeEndpoint")
    assert at("endpoint_operator_aws_calls_total", **call, outcome="ok") == 2
    assert at("endpoint_operator_aws_calls_total", **call, outcome="Throttled") == 1
    assert at("endpoint_operator_aws_throttles_total", **call, source="aws") == 1
    assert at("endpoint_operator_aws_throttles_total", **call, source="client") == 1
    assert at("endpoint_operator_reconciles_total", outcome="ok") == 1
    assert at("endpoint_operator_reconcile_duration_seconds_bucket", le="0.25", outcome="ok") == 1
    assert at("endpoint_operator_reconcile_duration_seconds_bucket", le="2.5", outcome="error") == 0
    assert at("endpoint_operator_objects") == 2
    assert at("endpoint_operator_queue_depth") == 0
    assert at("endpoint_operator_leader") == 0
