"""Latency as a distribution, and a bounded values-and-counts form of many of them.

One instance is an M/M/1 server: a request's time in the model is exponential with
rate `mu x (1 - rho)`; on top of it comes the wait in the fleet's queue when arrivals
outrun the fleet. So a second's latency is `wait + Exp(rate)`: its p-quantile is
`wait - ln(1 - p) / rate`, which answers p50, p90 and p99 exactly.

A metric period merges many such seconds. `Sketch` holds them as CloudWatch's own
values-and-counts (PutMetricData `Values`/`Counts`): each distribution adds its
quantiles at every 1 % of probability (every 0.1 % above p99) as values with equal
weights, and the values fall into logarithmic buckets 1 % wide. Memory is bounded by
the number of buckets (a few hundred for any spread of latencies), not by requests;
a percentile read back is within about 1 % of probability and 1 % of value of the
merged distribution's. The Sum is biased up by about 2 % (each point is the upper
edge of its slice of probability), the price of exact percentiles at whole percents.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

RHO_CAP = 0.95  # beyond, the M/M/1 term would explode; the queue's wait is what grows
# Upper edges of the probability slices one distribution is cut into.
_EDGES = tuple([k / 100 for k in range(1, 100)] + [0.99 + k / 1000 for k in range(1, 10)])
_WEIGHTS = tuple(b - a for a, b in zip((0.0, *_EDGES), _EDGES)) + (1 - _EDGES[-1],)
BUCKET_GROWTH = 1.01


@dataclass(frozen=True)
class Latency:
    """`wait + Exp(rate)` seconds; `rate` 0 means no service time (a fixed delay)."""

    wait: float
    rate: float

    @classmethod
    def mm1(cls, service_rate: float, utilisation: float, wait: float = 0.0) -> Latency:
        rho = min(max(utilisation, 0.0), RHO_CAP)
        return cls(wait, service_rate * (1 - rho))

    def quantile(self, p: float) -> float:
        if self.rate <= 0:
            return self.wait
        return self.wait - math.log(1 - min(p, 1 - 1e-12)) / self.rate

    @property
    def mean(self) -> float:
        return self.wait + (1 / self.rate if self.rate > 0 else 0.0)

    def points(self) -> Iterable[tuple[float, float]]:
        """(value, share of requests) pairs: the upper edge of each slice; the tail's mean last."""
        for edge, weight in zip(_EDGES, _WEIGHTS):
            yield self.quantile(edge), weight
        tail = self.quantile(_EDGES[-1]) + (1 / self.rate if self.rate > 0 else 0.0)
        yield tail, _WEIGHTS[-1]


@dataclass
class Sketch:
    """Values and counts in logarithmic buckets; exact count, min and max."""

    buckets: dict[int, list[float]] = field(default_factory=dict)  # index -> [value sum, count, min, max]
    zeros: float = 0.0
    count: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    # Distributions added but not yet cut into points: a steady load adds the same one every
    # second, so a period's seconds cost one expansion, not one each.
    _pending: dict[tuple[float, float, float], float] = field(default_factory=dict, repr=False)

    def add(self, value: float, count: float = 1.0) -> None:
        if count <= 0:
            return
        self.count += count
        self.minimum, self.maximum = min(self.minimum, value), max(self.maximum, value)
        if value <= 0:
            self.zeros += count
            return
        index = math.floor(math.log(value) / math.log(BUCKET_GROWTH))
        bucket = self.buckets.setdefault(index, [0.0, 0.0, value, value])
        bucket[0] += value * count
        bucket[1] += count
        bucket[2], bucket[3] = min(bucket[2], value), max(bucket[3], value)

    def add_latency(self, latency: Latency, requests: float, scale: float = 1.0) -> None:
        """`requests` requests of `latency`, their values multiplied by `scale` (a unit)."""
        if requests <= 0:
            return
        key = (round(latency.wait, 9), round(latency.rate, 9), scale)
        self._pending[key] = self._pending.get(key, 0.0) + requests

    def _expand(self) -> None:
        pending, self._pending = self._pending, {}
        for (wait, rate, scale), requests in pending.items():
            for value, share in Latency(wait, rate).points():
                self.add(value * scale, requests * share)

    def merge(self, other: Sketch) -> None:
        self._expand()
        other._expand()
        for index, (total, count, low, high) in other.buckets.items():
            bucket = self.buckets.setdefault(index, [0.0, 0.0, low, high])
            bucket[0] += total
            bucket[1] += count
            bucket[2], bucket[3] = min(bucket[2], low), max(bucket[3], high)
        self.zeros += other.zeros
        self.count += other.count
        self.minimum, self.maximum = min(self.minimum, other.minimum), max(self.maximum, other.maximum)

    def values_and_counts(self) -> tuple[list[float], list[float]]:
        """Each bucket's mean value (its one value, exactly, if it saw only one) and its count,
        ascending: CloudWatch's Values/Counts."""
        self._expand()
        values, counts = ([0.0], [round(self.zeros, 9)]) if self.zeros else ([], [])
        for index in sorted(self.buckets):
            total, count, low, high = self.buckets[index]
            values.append(low if low == high else min(max(total / count, low), high))
            counts.append(round(count, 9))  # sixty 1/60 samples are one instance-minute, not 1.0000000000000013
        return values, counts

    def quantile(self, p: float) -> float:
        """Nearest rank over the counts, as CloudWatch computes a percentile."""
        return weighted_percentile(*self.values_and_counts(), p)

    @property
    def requests(self) -> float:
        """How many values were added, those still pending included."""
        return self.count + sum(self._pending.values())

    @property
    def total(self) -> float:
        self._expand()
        return sum(bucket[0] for bucket in self.buckets.values())


def weighted_percentile(values: list[float], counts: list[float], p: float) -> float:
    """The nearest-rank p-quantile (0 < p <= 1) of values repeated `counts` times."""
    pairs = sorted(zip(values, counts))
    total = sum(c for _, c in pairs)
    if not pairs or total <= 0:
        raise ValueError("no values")
    rank = p * total
    seen = 0.0
    for value, count in pairs:
        seen += count
        if seen >= rank - 1e-9 * total:
            return value
    return pairs[-1][0]
