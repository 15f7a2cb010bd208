"""Read what a canary step's gates need: the named alarms' states and the metrics of
each variant since the step began (CloudWatch), and the Prometheus queries at now.
Called only when plan.rollout.gate_query asks, so an endpoint at rest costs no read."""

from __future__ import annotations

from datetime import datetime

from ..aws.cloudwatch import CloudWatchGateway, MetricQuery
from ..plan.gates import NAMESPACE, GateQuery, GateReadings
from .prometheus import PrometheusReader


def read_gates(cloudwatch: CloudWatchGateway, query: GateQuery, now: datetime,
               prometheus: PrometheusReader | None = None) -> GateReadings:
    states = cloudwatch.alarm_states(query.alarms) if query.alarms else {}
    metrics: dict[str, float | None] = {}
    if query.metrics and now > query.since:
        reads = [
            MetricQuery(key=m.key, namespace=NAMESPACE, metric=m.metric, statistic=m.statistic,
                        dimensions={"EndpointName": query.endpoint_name, "VariantName": m.variant})
            for m in query.metrics
        ]
        metrics = cloudwatch.metric_values(reads, query.since, now)
    reader = prometheus or PrometheusReader()
    return GateReadings(alarms={name: states.get(name) for name in query.alarms},
                        metrics={m.key: metrics.get(m.key) for m in query.metrics},
                        prometheus={p.key: reader.instant(p.url, p.query, now) for p in query.prometheus})
