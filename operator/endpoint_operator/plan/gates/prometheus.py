"""Prometheus gates: a PromQL query evaluated at the judgement (an instant query; the
query's own range selectors, such as [5m], say how far back it looks), its one value
held to `max` and/or `min`. Teams keep business KPIs there (checkouts, conversion).

No series, several series, an unreachable server or a query error are "wait": the
rollout never passes on what it could not read, and `inconclusiveAfter` bounds the wait.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...api.spec import AnalysisSpec, PrometheusGate
from .base import FAILED, PASSED, WAITING, GateReadings, Judgement, PrometheusRead, Reads, Window


class PrometheusGates:
    def configured(self, analysis: AnalysisSpec) -> bool:
        return bool(analysis.prometheus)

    def reads(self, analysis: AnalysisSpec, window: Window) -> Reads:
        return Reads(prometheus=tuple(PrometheusRead(f"p{index}", index, gate.query, gate.url)
                                      for index, gate in enumerate(analysis.prometheus or ())))

    def judge(self, analysis: AnalysisSpec, readings: GateReadings, window: Window) -> Iterator[Judgement]:
        for index, gate in enumerate(analysis.prometheus or ()):
            yield _judge(gate, readings.prometheus.get(f"p{index}"))


KIND = PrometheusGates()


def _judge(gate: PrometheusGate, answer: tuple[float, ...] | str | None) -> Judgement:
    label = f"Prometheus query {gate.name}"
    if answer is None:
        return WAITING, f"{label} not read yet"
    if isinstance(answer, str):
        return WAITING, f"{label} could not be read: {answer}"
    if not answer:
        return WAITING, f"{label} returned no data yet"
    if len(answer) > 1:
        return WAITING, f"{label} returned {len(answer)} series; aggregate it to one (sum, max, ...)"
    value = answer[0]
    if gate.max is not None and value > gate.max:
        return FAILED, f"{label} is {value:g} (max {gate.max:g})"
    if gate.min is not None and value < gate.min:
        return FAILED, f"{label} is {value:g} (min {gate.min:g})"
    return PASSED, f"{label} is {value:g}"
