"""Gate kinds behind one interface: each says what to read for a step and judges what
was read. The Prometheus kind here; the alarm and metric kinds in test_plan_rollout.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from endpoint_operator.api.spec import AnalysisSpec
from endpoint_operator.plan.gates import (
    FAILED, PASSED, WAITING, GateReadings, PrometheusRead, has_gates, judge, query_for,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
QUERY = 'sum(rate(checkout_errors_total{variant="canary"}[5m])) / sum(rate(checkouts_total{variant="canary"}[5m]))'


def analysis(**gate) -> AnalysisSpec:
    return AnalysisSpec.model_validate({"prometheus": [{"name": "checkout-errors", "query": QUERY, **gate}]})


def readings(answer) -> GateReadings:
    return GateReadings(alarms={}, metrics={}, prometheus={"p0": answer})


def test_a_prometheus_gate_alone_is_a_gate_and_asks_for_its_query():
    spec = analysis(max=0.05, url="http://prometheus.monitoring:9090")
    assert has_gates(spec)
    query = query_for(spec, "recs", T0, 15)
    assert query.prometheus == (PrometheusRead("p0", 0, QUERY, "http://prometheus.monitoring:9090"),)
    assert query.alarms == () and query.metrics == ()


@pytest.mark.parametrize("gate, answer, outcome, detail", [
    ({"max": 0.05}, (0.01,), PASSED, "Prometheus query checkout-errors is 0.01"),
    ({"max": 0.05}, (0.2,), FAILED, "Prometheus query checkout-errors is 0.2 (max 0.05)"),
    ({"min": 100}, (12.0,), FAILED, "Prometheus query checkout-errors is 12 (min 100)"),
    ({"min": 1, "max": 2}, (1.5,), PASSED, "Prometheus query checkout-errors is 1.5"),
    ({"max": 0.05}, (), WAITING, "Prometheus query checkout-errors returned no data yet"),
    ({"max": 0.05}, (0.01, 0.02), WAITING,
     "Prometheus query checkout-errors returned 2 series; aggregate it to one (sum, max, ...)"),
    ({"max": 0.05}, "http://p:9090 did not answer: refused", WAITING,
     "Prometheus query checkout-errors could not be read: http://p:9090 did not answer: refused"),
])
def test_a_prometheus_gate_holds_its_one_value_to_its_bounds_and_waits_on_anything_else(gate, answer, outcome, detail):
    result = judge(analysis(**gate), readings(answer), 15)
    assert (result.outcome, result.detail) == (outcome, detail)


def test_every_kind_is_judged_together_a_failure_first():
    spec = AnalysisSpec.model_validate({"alarms": ["recs-5xx"], "prometheus": [{"name": "kpi", "query": "sum(up)", "min": 1}]})
    result = judge(spec, GateReadings(alarms={"recs-5xx": "OK"}, metrics={}, prometheus={"p0": (0.0,)}), 15)
    assert (result.outcome, result.detail) == (FAILED, "Prometheus query kpi is 0 (min 1)")
    result = judge(spec, GateReadings(alarms={"recs-5xx": "OK"}, metrics={}, prometheus={"p0": (3.0,)}), 15)
    assert (result.outcome, result.detail) == (PASSED, "alarm recs-5xx is OK; Prometheus query kpi is 3")
