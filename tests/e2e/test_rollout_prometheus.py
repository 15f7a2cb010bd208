"""Prometheus gates against a real Prometheus server (Debian's package, from the cache
directory) scraping a small exporter: the reader's answers, and a canary rolled back
by a PromQL query."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from endpoint_operator.handlers.prometheus import PrometheusReader
from endpoint_operator.sandbox.prometheus import Exporter, PrometheusServer

from . import kit
from .test_rollout import canary_manifest, canary_weights, change_model, ready_on_v1, reasons, wait_rollout

KPI = "checkout_error_ratio"


@pytest.fixture(scope="module")
def exporter():
    running = Exporter()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def prometheus(exporter):
    with PrometheusServer([exporter.target]) as running:
        yield running


def scraped(prometheus, query: str, value: float) -> None:
    """Until Prometheus has scraped `value` (it scrapes every second)."""
    def probe():
        found = prometheus.query(query)
        return found if len(found) == 1 and float(found[0]["value"][1]) == value else None
    kit.wait_for(probe, timeout=30, what=f"{query} == {value} in Prometheus")


def test_the_reader_returns_one_value_per_series_and_says_why_when_there_is_none(exporter, prometheus):
    exporter.set("reader_probe", 1.5, variant="canary")
    exporter.set("reader_probe", 0.5, variant="primary")
    scraped(prometheus, 'reader_probe{variant="canary"}', 1.5)
    reader = PrometheusReader(default_url=prometheus.url)
    now = datetime.now(timezone.utc)
    assert reader.instant(None, 'reader_probe{variant="canary"}', now) == (1.5,)
    assert sorted(reader.instant(None, "reader_probe", now)) == [0.5, 1.5]
    assert reader.instant(None, "sum(reader_probe)", now) == (2.0,)
    assert reader.instant(None, "no_such_metric", now) == ()
    assert reader.instant(None, "scalar(sum(reader_probe))", now) == (2.0,)
    bad = reader.instant(None, "sum(", now)
    assert isinstance(bad, str) and "HTTP 400" in bad
    assert "not one value" in reader.instant(None, "reader_probe[1m]", now)
    assert "no Prometheus server" in PrometheusReader().instant(None, "up", now)


def test_a_prometheus_gate_rolls_a_canary_back(operator, control_plane, emulator, namespace, exporter, prometheus):
    query = f'max({KPI}{{namespace="{namespace}", variant="canary"}})'
    exporter.set(KPI, 0.01, namespace=namespace, variant="canary")
    scraped(prometheus, query, 0.01)
    doc = canary_manifest("kpi", namespace, [{"weight": 15, "pause": "10m"}, {"weight": 100}])
    doc["spec"]["rollout"]["analysis"] = {"interval": "10s", "prometheus": [
        {"name": "checkout-errors", "query": query, "max": 0.05, "url": prometheus.url}]}
    obj = ready_on_v1(control_plane, emulator, doc)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]

    change_model(control_plane, emulator, doc, 2)
    wait_rollout(control_plane, namespace, "kpi", timeout=60, step=0, phase="Progressing",
                 lastGate="Passed: Prometheus query checkout-errors is 0.01")
    exporter.set(KPI, 0.2, namespace=namespace, variant="canary")

    obj = kit.wait_condition(control_plane, namespace, "kpi", "Degraded", reason="RolledBack", timeout=60)
    assert "Prometheus query checkout-errors is 0.2 (max 0.05)" in kit.condition(obj, "Degraded")["message"]
    wait_rollout(control_plane, namespace, "kpi", timeout=60, phase="RolledBack")
    assert canary_weights(emulator, endpoint) == [0.0]
    assert kit.client(emulator, "sagemaker").describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == old_config
    assert {"RolloutStarted", "CanaryStep", "RollingBack", "RolledBack"} <= set(reasons(control_plane, namespace, "kpi"))
    # The operator's own metrics follow the phase and the step, for a dashboard or an alert.
    name = obj["metadata"]["name"]
    exposition = operator.metrics()
    assert f'endpoint_operator_rollout_phase{{name="{name}",namespace="{namespace}",phase="RolledBack"}} 1.0' in exposition
    assert f'endpoint_operator_rollout_step{{name="{name}",namespace="{namespace}"}} 0.0' in exposition
