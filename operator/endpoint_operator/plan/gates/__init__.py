"""Rollout gates: what to read while a canary step is judged, and the judgement.

The handler asks `gate_query` (plan/rollout.py) what to read (nothing at rest: no
read unless a step is being judged), reads it (handlers/gates.py: CloudWatch,
Prometheus), and hands the readings to `judge`. Each kind of gate is one module
behind one interface (base.GateKind): alarm.py, metric.py, prometheus.py. Any gate
failed fails the step; any gate waiting (no data, an alarm in INSUFFICIENT_DATA or
missing, a server that does not answer) is "wait", never "pass". A wait has a
limit: once a step is due, gates still waiting after `analysis.inconclusiveAfter`
make the step inconclusive, and the rollout does what `onFailure` says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ...api.spec import AnalysisSpec
from ...api.units import INVOCATIONS_METRIC
from . import alarm, metric, prometheus
from .base import (
    CANARY, FAILED, INCONCLUSIVE, NAMESPACE, PASSED, PRIMARY, SHADOW, WAITING, GateKind, GateQuery, GateReadings, GateResult,
    MetricRead, PrometheusAnswer, PrometheusRead, Window, both_serve,
)

__all__ = [
    "CANARY", "FAILED", "INCONCLUSIVE", "NAMESPACE", "PASSED", "PRIMARY", "SHADOW", "WAITING", "KINDS", "GateKind", "GateQuery",
    "GateReadings", "GateResult", "MetricRead", "PrometheusAnswer", "PrometheusRead", "Window", "both_serve",
    "has_gates", "inconclusive", "judge", "query_for",
]

# Judged in this order; a new kind is a new module added here.
KINDS: tuple[GateKind, ...] = (alarm.KIND, metric.KIND, prometheus.KIND)


def has_gates(analysis: AnalysisSpec | None) -> bool:
    return analysis is not None and any(kind.configured(analysis) for kind in KINDS)


def query_for(analysis: AnalysisSpec, endpoint_name: str, since: datetime, canary_weight: int | None = None,
              candidate: str = CANARY, requests_metric: str = INVOCATIONS_METRIC) -> GateQuery:
    window = Window(endpoint_name, since, canary_weight, candidate, requests_metric)
    reads = [kind.reads(analysis, window) for kind in KINDS]
    return GateQuery(endpoint_name=endpoint_name, since=since,
                     alarms=tuple(a for r in reads for a in r.alarms),
                     metrics=tuple(m for r in reads for m in r.metrics),
                     prometheus=tuple(p for r in reads for p in r.prometheus))


def judge(analysis: AnalysisSpec | None, readings: GateReadings | None, canary_weight: int | None = None,
          candidate: str = CANARY) -> GateResult:
    if not has_gates(analysis):
        return GateResult(PASSED, "no gates configured")
    if readings is None:
        return GateResult(WAITING, "gates not read yet")
    window = Window("", datetime.min, canary_weight, candidate)  # judging reads the share and the candidate only
    by_outcome: dict[str, list[str]] = {FAILED: [], WAITING: [], PASSED: []}
    for kind in KINDS:
        for outcome, text in kind.judge(analysis, readings, window):
            by_outcome[outcome].append(text)
    for outcome in (FAILED, WAITING):
        if by_outcome[outcome]:
            return GateResult(outcome, "; ".join(by_outcome[outcome]))
    return GateResult(PASSED, "; ".join(by_outcome[PASSED]))


def inconclusive(result: GateResult, analysis: AnalysisSpec | None, due: datetime | None, now: datetime) -> GateResult:
    """A judgement still waiting `inconclusiveAfter` past the step's due time is
    inconclusive; any other judgement is returned as it is."""
    if result.outcome != WAITING or analysis is None or due is None:
        return result
    limit = timedelta(seconds=analysis.inconclusive_seconds())
    if now < due + limit:
        return result
    return GateResult(INCONCLUSIVE, f"{result.detail}; still waiting {analysis.inconclusive_after} after the step "
                                    "was due (spec.rollout.analysis.inconclusiveAfter)")
