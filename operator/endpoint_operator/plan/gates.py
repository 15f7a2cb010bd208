"""Rollout gates: what to read while a canary step is judged, and the judgement.

The handler asks `gate_query` what to read (nothing at rest: no GetMetricData
unless a step is being judged), reads it from CloudWatch, and hands the readings
to `judge`. Any alarm in ALARM or any metric over its bound fails the step; an
alarm in INSUFFICIENT_DATA, a missing alarm or a metric without data is "wait",
never "pass". A wait has a limit: once a step is due, gates still waiting after
`analysis.inconclusiveAfter` make the step inconclusive, and the rollout does what
`onFailure` says (`inconclusive`).

Thresholds are compared in CloudWatch's units (api/units.py: microseconds for
latencies, fractions for error rates). `maxRatioToPrimary` compares the variants only
on steps where both take traffic: at 100 % the primary serves nothing and publishes
no datapoints, so the ratio is not judged there (a `max` still is). A ratio of Sums
is taken per request, each variant's Sum over its own Invocations: a Sum follows the
variant's share of traffic, and at 15/85 a canary with five times the primary's error
rate has fewer errors than the primary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..api.spec import AnalysisSpec, MetricGate
from ..api.units import INVOCATIONS_METRIC, show

PASSED, WAITING, FAILED, INCONCLUSIVE = "Passed", "Waiting", "Failed", "Inconclusive"
PRIMARY, CANARY = "primary", "canary"
NAMESPACE = "AWS/SageMaker"


@dataclass(frozen=True)
class MetricRead:
    key: str  # GetMetricData query id: [a-z][a-zA-Z0-9_]*
    gate: int  # index in spec.rollout.analysis.metrics
    metric: str
    statistic: str
    variant: str


@dataclass(frozen=True)
class GateQuery:
    """What to read for one judgement: the window is [since, now)."""

    endpoint_name: str
    alarms: tuple[str, ...]
    metrics: tuple[MetricRead, ...]
    since: datetime


@dataclass(frozen=True)
class GateReadings:
    alarms: Mapping[str, str | None]  # name -> OK | ALARM | INSUFFICIENT_DATA; None: no such alarm
    metrics: Mapping[str, float | None]  # MetricRead.key -> value over the window; None: no data


@dataclass(frozen=True)
class GateResult:
    outcome: str  # Passed | Waiting | Failed | Inconclusive
    detail: str  # names the gate and the value

    def summary(self) -> str:
        return f"{self.outcome}: {self.detail}"


def has_gates(analysis: AnalysisSpec | None) -> bool:
    return analysis is not None and bool(analysis.alarms or analysis.metrics)


def both_serve(canary_weight: int | None) -> bool:
    """Whether the step sends traffic to both variants (unknown weight: assume so)."""
    return canary_weight is None or 0 < canary_weight < 100


def _per_request(gate: MetricGate) -> bool:
    return gate.max_ratio_to_primary is not None and gate.statistic == "Sum"


def query_for(analysis: AnalysisSpec, endpoint_name: str, since: datetime, canary_weight: int | None = None) -> GateQuery:
    reads = []
    for index, gate in enumerate(analysis.metrics or ()):
        reads.append(MetricRead(f"m{index}_{CANARY}", index, gate.name, gate.statistic, CANARY))
        if gate.max_ratio_to_primary is None or not both_serve(canary_weight):
            continue
        reads.append(MetricRead(f"m{index}_{PRIMARY}", index, gate.name, gate.statistic, PRIMARY))
        if _per_request(gate):
            for variant in (CANARY, PRIMARY):
                reads.append(MetricRead(f"m{index}_{variant}_requests", index, INVOCATIONS_METRIC, "Sum", variant))
    return GateQuery(endpoint_name=endpoint_name, alarms=tuple(analysis.alarms or ()), metrics=tuple(reads), since=since)


def judge(analysis: AnalysisSpec | None, readings: GateReadings | None, canary_weight: int | None = None) -> GateResult:
    if not has_gates(analysis):
        return GateResult(PASSED, "no gates configured")
    if readings is None:
        return GateResult(WAITING, "gates not read yet")
    failed: list[str] = []
    waiting: list[str] = []
    passed: list[str] = []
    for name in analysis.alarms or ():
        state = readings.alarms.get(name)
        if state == "ALARM":
            failed.append(f"alarm {name} is ALARM")
        elif state == "OK":
            passed.append(f"alarm {name} is OK")
        elif state is None:
            waiting.append(f"alarm {name} does not exist")
        else:
            waiting.append(f"alarm {name} is {state}")
    for index, gate in enumerate(analysis.metrics or ()):
        outcome, text = _metric(index, gate, readings.metrics, both_serve(canary_weight))
        {FAILED: failed, WAITING: waiting, PASSED: passed}[outcome].append(text)
    if failed:
        return GateResult(FAILED, "; ".join(failed))
    if waiting:
        return GateResult(WAITING, "; ".join(waiting))
    return GateResult(PASSED, "; ".join(passed))


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


def _metric(index: int, gate: MetricGate, values: Mapping[str, float | None], both: bool) -> tuple[str, str]:
    label = f"{gate.name} {gate.statistic}"
    canary = values.get(f"m{index}_{CANARY}")
    if canary is None:
        return WAITING, f"{label} of the canary has no data yet"
    shown = show(canary, gate.name, gate.statistic)
    bound = gate.max_value()
    if bound is not None and canary > bound:
        return FAILED, f"{label} of the canary is {shown} (max {gate.max})"
    if gate.max_ratio_to_primary is None:
        return PASSED, f"{label} of the canary is {shown}"
    if not both:
        return PASSED, f"{label} of the canary is {shown}; maxRatioToPrimary is not judged while the primary takes no traffic"
    primary = values.get(f"m{index}_{PRIMARY}")
    if primary is None:
        return WAITING, f"{label} of the primary has no data yet"
    statistic = gate.statistic
    if _per_request(gate):
        canary_requests = values.get(f"m{index}_{CANARY}_requests")
        primary_requests = values.get(f"m{index}_{PRIMARY}_requests")
        if not canary_requests or not primary_requests:
            side = "canary" if not canary_requests else "primary"
            return WAITING, f"{gate.name} Invocations of the {side} have no data yet"
        canary, primary = canary / canary_requests, primary / primary_requests
        label, statistic = f"{gate.name} per request", "Average"
    ratio = canary / primary if primary else (math.inf if canary else 1.0)
    shown, primary_shown = show(canary, gate.name, statistic), show(primary, gate.name, statistic)
    if ratio > gate.max_ratio_to_primary:
        return FAILED, (f"{label} of the canary is {shown}, {ratio:.2f} x the primary's {primary_shown} "
                        f"(max {gate.max_ratio_to_primary:g} x)")
    return PASSED, f"{label} of the canary is {shown}, {ratio:.2f} x the primary's {primary_shown}"
