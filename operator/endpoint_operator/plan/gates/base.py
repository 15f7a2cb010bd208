"""What every gate kind shares: the step's window, what to read, what was read, the
outcome. A kind (alarm.py, metric.py, prometheus.py) is one module with one object
that says what to read for the window (`reads`) and how to judge it (`judge`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ...api.spec import AnalysisSpec
from ...api.units import INVOCATIONS_METRIC

PASSED, WAITING, FAILED, INCONCLUSIVE = "Passed", "Waiting", "Failed", "Inconclusive"
from ..naming import CANARY, PRIMARY, SHADOW  # noqa: F401  (the gates compare these variants)
NAMESPACE = "AWS/SageMaker"


@dataclass(frozen=True)
class Window:
    """The step being judged: the endpoint, when the step began, the canary's share, and
    the variant compared with the primary (the canary, or the shadow of a shadow step)."""

    endpoint_name: str
    since: datetime
    canary_weight: int | None = None
    candidate: str = CANARY
    # What counts a variant's requests: Invocations, or an asynchronous endpoint's
    # InvocationsProcesssed (it publishes no Invocations).
    requests_metric: str = INVOCATIONS_METRIC


@dataclass(frozen=True)
class MetricRead:
    key: str  # GetMetricData query id: [a-z][a-zA-Z0-9_]*
    gate: int  # index in spec.rollout.analysis.metrics
    metric: str
    statistic: str
    variant: str


@dataclass(frozen=True)
class PrometheusRead:
    key: str
    gate: int  # index in spec.rollout.analysis.prometheus
    query: str
    url: str | None  # None: the operator's --prometheus-url


@dataclass(frozen=True)
class Reads:
    """What one kind needs read, by source: the handler has one reader per source."""

    alarms: tuple[str, ...] = ()
    metrics: tuple[MetricRead, ...] = ()
    prometheus: tuple[PrometheusRead, ...] = ()


@dataclass(frozen=True)
class GateQuery:
    """What to read for one judgement: the window is [since, now)."""

    endpoint_name: str
    alarms: tuple[str, ...]
    metrics: tuple[MetricRead, ...]
    since: datetime
    prometheus: tuple[PrometheusRead, ...] = ()


# One Prometheus answer: a value per series returned, or why there is none (an error).
PrometheusAnswer = tuple[float, ...] | str


@dataclass(frozen=True)
class GateReadings:
    alarms: Mapping[str, str | None]  # name -> OK | ALARM | INSUFFICIENT_DATA; None: no such alarm
    metrics: Mapping[str, float | None]  # MetricRead.key -> value over the window; None: no data
    prometheus: Mapping[str, PrometheusAnswer] = field(default_factory=dict)  # PrometheusRead.key -> answer


@dataclass(frozen=True)
class GateResult:
    outcome: str  # Passed | Waiting | Failed | Inconclusive
    detail: str  # names the gate and the value

    def summary(self) -> str:
        return f"{self.outcome}: {self.detail}"


Judgement = tuple[str, str]  # (Passed | Waiting | Failed, text naming the gate and the value)


class GateKind(Protocol):
    def configured(self, analysis: AnalysisSpec) -> bool:
        """Whether the spec declares gates of this kind."""

    def reads(self, analysis: AnalysisSpec, window: Window) -> Reads:
        """What to read for the step's window."""

    def judge(self, analysis: AnalysisSpec, readings: GateReadings, window: Window) -> Iterable[Judgement]:
        """One judgement per gate of this kind, from what was read."""


def both_serve(canary_weight: int | None) -> bool:
    """Whether the step sends traffic to both variants (unknown weight: assume so)."""
    return canary_weight is None or 0 < canary_weight < 100
