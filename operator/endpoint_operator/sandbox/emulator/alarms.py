"""CloudWatch metric alarms evaluated on the data points moto stores, at the virtual time.

moto keeps an alarm's settings and answers DescribeAlarms, but never evaluates one: its
state stays what PutMetricAlarm or SetAlarmState made it. Here an alarm is judged as
CloudWatch judges it: the statistic of each of its last EvaluationPeriods periods
against the threshold, ALARM when DatapointsToAlarm of them breach, missing periods
treated as TreatMissingData says.

Not modelled: metric math alarms, anomaly detection, composite alarms, and
EvaluateLowSampleCountPercentile. An alarm whose metric has no data point at all in
its range keeps the state it has (CloudWatch would report INSUFFICIENT_DATA), so an
alarm a test set with SetAlarmState on a metric nobody publishes stays as set.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")
# PutMetricAlarm, ComparisonOperator (CloudWatch API Reference): "The arithmetic operation to use when comparing
# the specified statistic and threshold. The specified statistic value is used as the first operand."
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}
MetricKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class Sample:
    """One stored data point: a value, or the statistic set PutMetricData's StatisticValues carries."""

    at: float
    total: float
    count: float
    low: float
    high: float
    weighted: tuple[tuple[float, float], ...]  # (value, count); empty for a bare statistic set: no percentile
    unit: str | None


@dataclass
class Verdict:
    state: str
    value: float | None  # the statistic of the latest period with data, what a policy scales on
    reason: str


@dataclass
class MetricIndex:
    """The data points of one CloudWatch backend by metric, sorted by time, read incrementally:
    moto only appends to `metric_data`, so each evaluation reads what arrived since the last."""

    source: int | None = None  # id() of the list read: a reset gives the backend a new one
    read: int = 0
    last: Any = None  # the last datum read: pruning old data points moves the rest
    series: dict[MetricKey, list[Sample]] = field(default_factory=dict)
    times: dict[MetricKey, list[float]] = field(default_factory=dict)

    def refresh(self, data: list[Any]) -> None:
        if id(data) != self.source or len(data) < self.read or (self.read and data[self.read - 1] is not self.last):
            self.source, self.read, self.series, self.times = id(data), 0, {}, {}
        for datum in data[self.read:]:
            key = metric_key(datum.namespace, datum.name, ((d.name, d.value) for d in datum.dimensions))
            sample = _sample(datum)
            series, times = self.series.setdefault(key, []), self.times.setdefault(key, [])
            where = len(times) if not times or times[-1] <= sample.at else bisect_right(times, sample.at)
            series.insert(where, sample)
            times.insert(where, sample.at)
        self.read = len(data)
        self.last = data[-1] if data else None

    def between(self, key: MetricKey, start: float, end: float) -> list[Sample]:
        times = self.times.get(key, [])
        return self.series.get(key, [])[bisect_left(times, start):bisect_left(times, end)]


def metric_key(namespace: str, name: str, dimensions: Iterable[tuple[str, str]]) -> MetricKey:
    return namespace, name, tuple(sorted(dimensions))


def evaluation_step(period: int) -> int:
    """How often an alarm of this period is evaluated, in seconds."""
    # CloudWatch user guide, "Using Amazon CloudWatch alarms", high-resolution alarms: "If you set an alarm on a
    # high-resolution metric, you can specify a high-resolution alarm with a period of 10 seconds or 30 seconds";
    # standard alarms are evaluated every minute.
    return period if period < 60 else 60


def evaluate(alarm: Any, index: MetricIndex, now: datetime) -> Verdict | None:
    """The alarm's state at `now`; None when the alarm cannot be judged here (metric math,
    or no data point at all in its range)."""
    if not alarm.metric_name or alarm.metric_data_queries:
        return None
    period = int(alarm.period)
    periods = int(alarm.evaluation_periods)
    # PutMetricAlarm, DatapointsToAlarm: "The number of data points that must be breaching to trigger the alarm.
    # This is used only if you are setting an 'M out of N' alarm. In that case, this value is the M."
    needed = int(alarm.datapoints_to_alarm or periods)
    statistic = alarm.extended_statistic or alarm.statistic
    key = metric_key(alarm.namespace, alarm.metric_name, ((d.name, d.value) for d in alarm.dimensions))
    end = math.floor(now.timestamp() / period) * period  # the period still filling is not judged
    values: list[float | None] = []
    for back in range(periods, 0, -1):
        start = end - back * period
        samples = [s for s in index.between(key, start, start + period) if not alarm.unit or s.unit == alarm.unit]
        values.append(statistic_of(statistic, samples) if samples else None)
    present = [v for v in values if v is not None]
    if not present:
        return None
    compare = COMPARISONS[alarm.comparison_operator]
    threshold = float(alarm.threshold)
    # CloudWatch user guide, "Configuring how CloudWatch alarms treat missing data": "notBreaching – Missing data
    # points are treated as 'good' and within the threshold; breaching – Missing data points are treated as 'bad'
    # and breaching the threshold; ignore – The current alarm state is maintained; missing – If all data points in
    # the alarm evaluation range are missing, the alarm transitions to INSUFFICIENT_DATA." The default is missing.
    treat = alarm.treat_missing_data or "missing"
    breaching = sum(1 for v in present if compare(v, threshold))
    missing = len(values) - len(present)
    if treat == "breaching":
        breaching += missing
    latest = present[-1]
    if breaching >= needed:
        return Verdict(ALARM, latest, f"Threshold Crossed: {breaching} out of the last {periods} datapoints "
                                      f"were {alarm.comparison_operator.replace('Threshold', '')} the threshold "
                                      f"({threshold:g}); the latest was {latest:g}.")
    if treat == "ignore" and missing and breaching + missing >= needed:
        return Verdict(alarm.state_value, latest, alarm.state_reason)
    return Verdict(OK, latest, f"Threshold Crossed: {breaching} out of the last {periods} datapoints breached "
                               f"the threshold ({threshold:g}); the latest was {latest:g}.")


def statistic_of(name: str, samples: list[Sample]) -> float:
    match = PERCENTILE.match(name)
    if match:
        pairs = sorted(pair for s in samples for pair in s.weighted if pair[1] > 0)
        total = sum(count for _, count in pairs)
        if not pairs:
            return math.nan
        rank = max(math.ceil(float(match.group(1)) / 100 * total - 1e-9), 1)  # nearest rank
        seen = 0.0
        for value, count in pairs:
            seen += count
            if seen >= rank - 1e-9:
                return value
        return pairs[-1][0]
    total, count = sum(s.total for s in samples), sum(s.count for s in samples)
    return {
        "Sum": total, "Average": total / count if count else math.nan, "SampleCount": count,
        "Minimum": min(s.low for s in samples), "Maximum": max(s.high for s in samples),
    }[name]


def _sample(datum: Any) -> Sample:
    at = _timestamp(datum.timestamp)
    if hasattr(datum, "value"):
        value = float(datum.value)
        return Sample(at, value, 1.0, value, value, ((value, 1.0),), datum.unit)
    # A statistic set; the traffic engine's (traffic_metrics.py) also keeps its values and counts.
    weighted = tuple(zip(map(float, getattr(datum, "values", ())), map(float, getattr(datum, "counts", ()))))
    return Sample(at, float(datum.sum), float(datum.sample_count), float(datum.min), float(datum.max), weighted,
                  datum.unit)


def _timestamp(moment: Any) -> float:
    if isinstance(moment, (int, float)):
        return float(moment)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
