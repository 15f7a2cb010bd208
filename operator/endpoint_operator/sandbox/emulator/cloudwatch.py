"""CloudWatch behaviour moto 5 lacks in GetMetricData.

- Percentile statistics: moto computes Sum, Average, Minimum, Maximum and SampleCount
  and fails with a 500 on a percentile such as `p99`, which canary gates read
  (ModelLatency p99).
- The period rule for old start times: moto answers any period; CloudWatch returns
  no data points when the period does not fit the age of StartTime.

A GetMetricData whose queries are all MetricStat is answered here from the data
points moto stored with PutMetricData and the values-and-counts datums the traffic
engine publishes (traffic_metrics.py); metric math and every other call go to moto
unchanged.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from . import clock

PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")
# CloudWatch API Reference, MetricStat, Period: "If the StartTime parameter specifies a
# time stamp that is greater than 3 hours ago, you must specify the period as follows
# or no data points in that time range is returned: Start time between 3 hours and 15
# days ago - Use a multiple of 60 seconds (1 minute). Start time between 15 and 63 days
# ago - Use a multiple of 300 seconds (5 minutes). Start time greater than 63 days ago -
# Use a multiple of 3600 seconds (1 hour)."
PERIOD_RULES = ((timedelta(days=63), 3600), (timedelta(days=15), 300), (timedelta(hours=3), 60))


def get_metric_data(account: str, region: str, params: dict[str, Any],
                    now: datetime | None = None) -> dict[str, Any] | None:
    """The answer to a GetMetricData of MetricStat queries; None lets moto answer."""
    queries = params.get("MetricDataQueries") or []
    if not queries or any("MetricStat" not in q for q in queries):
        return None  # metric math: moto's
    start, end = _time(params["StartTime"]), _time(params["EndTime"])
    age = (now or clock.now()) - start  # the virtual present: metric timestamps are virtual
    points = [md for md in cloudwatch_backends[account][region].get_all_metrics()
              if (hasattr(md, "value") or hasattr(md, "values")) and start <= _aware(md.timestamp) < end]
    scan_by = params.get("ScanBy", "TimestampAscending")
    results = [_result(q, points if period_answers(int(q["MetricStat"]["Period"]), age) else [], start, end, scan_by)
               for q in queries]
    return {"MetricDataResults": [r for r, q in zip(results, queries) if q.get("ReturnData", True)], "Messages": []}


def period_answers(period: int, age: timedelta) -> bool:
    """Whether CloudWatch returns data points for this period at a StartTime this old."""
    granule = next((g for older, g in PERIOD_RULES if age > older), None)
    return granule is None or period % granule == 0


def _result(query: dict[str, Any], points: list, start: datetime, end: datetime, scan_by: str) -> dict[str, Any]:
    stat = query["MetricStat"]
    metric = stat["Metric"]
    wanted = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    period = timedelta(seconds=int(stat["Period"]))
    matching = [
        md for md in points
        if md.namespace == metric["Namespace"] and md.name == metric["MetricName"]
        and sorted((d.name, d.value) for d in md.dimensions) == wanted
        and (not stat.get("Unit") or md.unit == stat["Unit"])
    ]
    buckets: dict[int, list[tuple[float, float]]] = {}
    for md in matching:
        bucket = buckets.setdefault(int((_aware(md.timestamp) - start) / period), [])
        bucket.extend(zip(md.values, md.counts) if hasattr(md, "values") else [(float(md.value), 1.0)])
    timestamps = [(start + index * period).timestamp() for index in sorted(buckets)]
    values = [_statistic(stat["Stat"], buckets[index]) for index in sorted(buckets)]
    if scan_by == "TimestampDescending":
        timestamps.reverse()
        values.reverse()
    label = query.get("Label") or f"{metric['MetricName']} {stat['Stat']}"
    return {"Id": query["Id"], "Label": label, "Timestamps": timestamps, "Values": values, "StatusCode": "Complete"}


def _statistic(name: str, weighted: list[tuple[float, float]]) -> float:
    """A statistic of values each seen `count` times (PutMetricData Values and Counts)."""
    pairs = sorted((v, c) for v, c in weighted if c > 0)
    total = sum(c for _, c in pairs)
    match = PERCENTILE.match(name)
    if match:
        # Nearest rank: the smallest value with at least p % of the samples at or below it. For
        # whole counts that is the ceil(p x n)-th value; the traffic's counts may be fractional.
        rank = float(match.group(1)) / 100 * total
        seen = 0.0
        for value, count in pairs:
            seen += count
            if seen >= rank - 1e-9 * max(total, 1.0):
                return value
        return pairs[-1][0]
    values = [v for v, _ in pairs]
    return {
        "Sum": sum(v * c for v, c in pairs), "Average": sum(v * c for v, c in pairs) / total, "Minimum": min(values),
        "Maximum": max(values), "SampleCount": total,
    }[name]


def _time(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return _aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
