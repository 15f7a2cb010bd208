"""Rollout gates: what to read while a canary step is judged, and the judgement.

The handler asks `gate_query` what to read (nothing at rest: no GetMetricData
unless a step is being judged), reads it from CloudWatch, and hands the readings
to `judge`. Any alarm in ALARM or any metric over its bound fails the step; an
alarm in INSUFFICIENT_DATA, a missing alarm or a metric without data is "wait",
never "pass".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..api.spec import AnalysisSpec, MetricGate

PASSED, WAITING, FAILED = "Passed", "Waiting", "Failed"
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
    outcome: str  # Passed | Waiting | Failed
    detail: str  # names the gate and the value

    def summary(self) -> str:
        return f"{self.outcome}: {self.detail}"


def has_gates(analysis: AnalysisSpec | None) -> bool:
    return analysis is not None and bool(analysis.alarms or analysis.metrics)


def query_for(analysis: AnalysisSpec, endpoint_name: str, since: datetime) -> GateQuery:
    reads = []
    for index, gate in enumerate(analysis.metrics or ()):
        reads.append(MetricRead(f"m{index}_{CANARY}", index, gate.name, gate.statistic, CANARY))
        if gate.max_ratio_to_primary is not None:
            reads.append(MetricRead(f"m{index}_{PRIMARY}", index, gate.name, gate.statistic, PRIMARY))
    return GateQuery(endpoint_name=endpoint_name, alarms=tuple(analysis.alarms or ()), metrics=tuple(reads), since=since)


def judge(analysis: AnalysisSpec | None, readings: GateReadings | None) -> GateResult:
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
        outcome, text = _metric(index, gate, readings.metrics)
        {FAILED: failed, WAITING: waiting, PASSED: passed}[outcome].append(text)
    if failed:
        return GateResult(FAILED, "; ".join(failed))
    if waiting:
        return GateResult(WAITING, "; ".join(waiting))
    return GateResult(PASSED, "; ".join(passed))


def _metric(index: int, gate: MetricGate, values: Mapping[str, float | None]) -> tuple[str, str]:
    label = f"{gate.name} {gate.statistic}"
    canary = values.get(f"m{index}_{CANARY}")
    if canary is None:
        return WAITING, f"{label} of the canary has no data yet"
    if gate.max is not None and canary > gate.max:
        return FAILED, f"{label} of the canary is {canary:g} (max {gate.max:g})"
    if gate.max_ratio_to_primary is not None:
        primary = values.get(f"m{index}_{PRIMARY}")
        if primary is None:
            return WAITING, f"{label} of the primary has no data yet"
        ratio = canary / primary if primary else (math.inf if canary else 1.0)
        if ratio > gate.max_ratio_to_primary:
            return FAILED, (f"{label} of the canary is {canary:g}, {ratio:.2f} x the primary's {primary:g} "
                            f"(max {gate.max_ratio_to_primary:g} x)")
        return PASSED, f"{label} of the canary is {canary:g}, {ratio:.2f} x the primary's"
    return PASSED, f"{label} of the canary is {canary:g}"
