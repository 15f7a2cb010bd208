"""What the traffic engine publishes into moto's CloudWatch backend: SageMaker's metrics,
one datum per metric and period, as the values-and-counts CloudWatch keeps.

Developer guide, "Amazon SageMaker AI metrics in Amazon CloudWatch": endpoint metrics
"are available at a 1-minute frequency"; the high-resolution ConcurrentRequestsPerModel
is emitted every 10 seconds ("Define a scaling policy": high-resolution metrics).
A period's datum carries the virtual timestamp of the period's start and is published
when the period ends, as SageMaker publishes a finished minute.

Storage: one `DistributionDatum` per (metric, dimensions, period): a statistic set
(Sum, Minimum, Maximum, SampleCount, as moto's own MetricAggregatedDatum, so moto's
GetMetricStatistics reads it) plus its values and counts (service model, MetricDatum.Values:
"Each unique value is listed just once in this array, and the corresponding number in the
Counts array specifies the number of times that value occurred during the period"), from
which cloudwatch.py answers percentiles. (A PutMetricData request holds up to 150 values;
this is CloudWatch's storage of a period, not a request.) A latency datum holds a few hundred values however
many requests it stands for (plan/load/latency.py). Retention: datums older than
`retention_seconds` of virtual time (3 hours by default: the 15-minute scale-in alarm,
a gate's window and a test's reads all fit) are dropped, so memory stays bounded
however long the clock runs.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone

from moto.cloudwatch.models import MetricAggregatedDatum, cloudwatch_backends

from ...plan.load import Latency, Sketch

SAGEMAKER = "AWS/SageMaker"
INSTANCES = "/aws/sagemaker/Endpoints"
STANDARD, HIGH_RESOLUTION = 60, 10
DEFAULT_RETENTION = 3 * 3600
MICRO = 1e6

Dimensions = tuple[tuple[str, str], ...]


class DistributionDatum(MetricAggregatedDatum):
    """A statistic set that keeps its values and counts."""

    def __init__(self, namespace: str, name: str, dimensions: Dimensions, timestamp: datetime, unit: str,
                 values: list[float], counts: list[float]):
        super().__init__(
            namespace=namespace, name=name, min_stat=min(values), max_stat=max(values),
            sample_count=sum(counts), sum_stat=sum(v * c for v, c in zip(values, counts)),
            dimensions=[{"Name": n, "Value": v} for n, v in dimensions], timestamp=timestamp, unit=unit,
        )
        self.values, self.counts = values, counts
        self.from_traffic = True


@dataclass
class _Window:
    start: int
    sketch: Sketch = field(default_factory=Sketch)


@dataclass
class Publisher:
    """Accumulates per-second observations into periods and publishes the finished ones."""

    account: str
    region: str
    retention_seconds: int = DEFAULT_RETENTION
    _open: dict[tuple[str, str, Dimensions, str, int], _Window] = field(default_factory=dict)
    _last_prune: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, namespace: str, name: str, dimensions: Dimensions, unit: str, now: float,
            value: float, count: float = 1.0, period: int = STANDARD) -> None:
        if count <= 0:
            return
        self._window(namespace, name, dimensions, unit, period, now).sketch.add(value, count)

    def add_latency(self, namespace: str, name: str, dimensions: Dimensions, now: float,
                    latency: Latency, requests: float) -> None:
        """Requests of one latency distribution, in microseconds (ModelLatency's unit)."""
        if requests > 0:
            self._window(namespace, name, dimensions, "Microseconds", STANDARD, now).sketch.add_latency(
                latency, requests, MICRO)

    def flush(self, now: float) -> None:
        """Publish every window that ended by `now`; drop what is older than the retention."""
        backend = cloudwatch_backends[self.account][self.region]
        with self._lock:
            for key, window in list(self._open.items()):
                namespace, name, dimensions, unit, period = key
                if now < window.start + period:
                    continue
                del self._open[key]
                if window.sketch.requests <= 0:
                    continue
                values, counts = window.sketch.values_and_counts()
                backend.metric_data.append(DistributionDatum(
                    namespace, name, dimensions, datetime.fromtimestamp(window.start, tz=timezone.utc), unit,
                    values, counts))
            if now - self._last_prune >= STANDARD:
                self._last_prune = now
                horizon = now - self.retention_seconds
                backend.metric_data[:] = [
                    md for md in backend.metric_data
                    if not getattr(md, "from_traffic", False) or md.timestamp.timestamp() >= horizon]

    def _window(self, namespace: str, name: str, dimensions: Dimensions, unit: str, period: int,
                now: float) -> _Window:
        start = int(math.floor(now / period) * period)
        key = (namespace, name, dimensions, unit, period)
        with self._lock:
            window = self._open.get(key)
            if window is None or window.start != start:
                if window is not None and window.start < start:
                    self._open.pop(key)
                    self._publish_late(key, window)
                window = self._open[key] = _Window(start)
            return window

    def _publish_late(self, key: tuple[str, str, Dimensions, str, int], window: _Window) -> None:
        """A window that ended before a flush saw it (flush runs after each second's adds)."""
        if window.sketch.requests <= 0:
            return
        namespace, name, dimensions, unit, _ = key
        values, counts = window.sketch.values_and_counts()
        cloudwatch_backends[self.account][self.region].metric_data.append(DistributionDatum(
            namespace, name, dimensions, datetime.fromtimestamp(window.start, tz=timezone.utc), unit, values, counts))
