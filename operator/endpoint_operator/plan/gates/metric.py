"""Metric gates: a CloudWatch metric of AWS/SageMaker per variant over the step's
window, against a bound (`max`) and the primary (`maxRatioToPrimary`).

Thresholds are compared in CloudWatch's units (api/units.py: microseconds for
latencies, fractions for error rates). `maxRatioToPrimary` compares the variants only
on steps where both take traffic: at 100 % the primary serves nothing and publishes
no datapoints, so the ratio is not judged there (a `max` still is). A ratio of Sums
is taken per request, each variant's Sum over its own Invocations: a Sum follows the
variant's share of traffic, and at 15/85 a canary with five times the primary's error
rate has fewer errors than the primary. An asynchronous endpoint counts its requests
in InvocationsProcesssed instead (Window.requests_metric).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from ...api.spec import AnalysisSpec, MetricGate
from ...api.units import show
from .base import FAILED, PASSED, PRIMARY, WAITING, GateReadings, Judgement, MetricRead, Reads, Window, both_serve


class MetricGates:
    def configured(self, analysis: AnalysisSpec) -> bool:
        return bool(analysis.metrics)

    def reads(self, analysis: AnalysisSpec, window: Window) -> Reads:
        reads, candidate = [], window.candidate
        for index, gate in enumerate(analysis.metrics or ()):
            reads.append(MetricRead(f"m{index}_{candidate}", index, gate.name, gate.statistic, candidate))
            if gate.max_ratio_to_primary is None or not both_serve(window.canary_weight):
                continue
            reads.append(MetricRead(f"m{index}_{PRIMARY}", index, gate.name, gate.statistic, PRIMARY))
            if _per_request(gate):
                for variant in (candidate, PRIMARY):
                    reads.append(MetricRead(f"m{index}_{variant}_requests", index, window.requests_metric, "Sum", variant))
        return Reads(metrics=tuple(reads))

    def judge(self, analysis: AnalysisSpec, readings: GateReadings, window: Window) -> Iterator[Judgement]:
        for index, gate in enumerate(analysis.metrics or ()):
            yield _metric(index, gate, readings.metrics, both_serve(window.canary_weight), window.candidate)


KIND = MetricGates()


def _per_request(gate: MetricGate) -> bool:
    return gate.max_ratio_to_primary is not None and gate.statistic == "Sum"


def _metric(index: int, gate: MetricGate, values: Mapping[str, float | None], both: bool, candidate: str) -> Judgement:
    """`canary` is the candidate's value: the canary's, or the shadow's."""
    label = f"{gate.name} {gate.statistic}"
    canary = values.get(f"m{index}_{candidate}")
    if canary is None:
        return WAITING, f"{label} of the {candidate} has no data yet"
    shown = show(canary, gate.name, gate.statistic)
    bound = gate.max_value()
    if bound is not None and canary > bound:
        return FAILED, f"{label} of the {candidate} is {shown} (max {gate.max})"
    if gate.max_ratio_to_primary is None:
        return PASSED, f"{label} of the {candidate} is {shown}"
    if not both:
        return PASSED, f"{label} of the {candidate} is {shown}; maxRatioToPrimary is not judged while the primary takes no traffic"
    primary = values.get(f"m{index}_{PRIMARY}")
    if primary is None:
        return WAITING, f"{label} of the primary has no data yet"
    statistic = gate.statistic
    if _per_request(gate):
        canary_requests = values.get(f"m{index}_{candidate}_requests")
        primary_requests = values.get(f"m{index}_{PRIMARY}_requests")
        if not canary_requests or not primary_requests:
            side = candidate if not canary_requests else PRIMARY
            return WAITING, f"{gate.name}: the {side}'s request count has no data yet"
        canary, primary = canary / canary_requests, primary / primary_requests
        label, statistic = f"{gate.name} per request", "Average"
    ratio = canary / primary if primary else (math.inf if canary else 1.0)
    shown, primary_shown = show(canary, gate.name, statistic), show(primary, gate.name, statistic)
    if ratio > gate.max_ratio_to_primary:
        return FAILED, (f"{label} of the {candidate} is {shown}, {ratio:.2f} x the primary's {primary_shown} "
                        f"(max {gate.max_ratio_to_primary:g} x)")
    return PASSED, f"{label} of the {candidate} is {shown}, {ratio:.2f} x the primary's {primary_shown}"
