"""CloudWatch behaviour moto 5 lacks: percentile statistics in GetMetricData.

moto computes Sum, Average, Minimum, Maximum and SampleCount and fails with a 500
on a percentile such as `p99`, which canary gates read (ModelLatency p99). A
GetMetricData whose queries ask for a percentile is answered here from the data
points moto stored with PutMetricData; every other call goes to moto unchanged.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


def get_metric_data(account: str, region: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a GetMetricData with a percentile; None lets moto answer."""
    queries = params.get("MetricDataQueries") or []
    if any("MetricStat" not in q for q in queries):
        return None  # metric math: moto's
    if not any(PERCENTILE.match(q["MetricStat"].get("Stat", "")) for q in queries):
        return None
    start, end = _time(params["StartTime"]), _time(params["EndTime"])
    points = [md for md in cloudwatch_backends[account][region].get_all_metrics()
              if hasattr(md, "value") and start <= _aware(md.timestamp) < end]
    results = [_result(q, points, start, end, params.get("ScanBy", "TimestampAscending")) for q in queries]
    return {"MetricDataResults": [r for r, q in zip(results, queries) if q.get("ReturnData", True)], "Messages": []}


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
    timestamps, values = [], []
    bucket = start
    while bucket < end:
        inside = [float(md.value) for md in matching if bucket <= _aware(md.timestamp) < bucket + period]
        if inside:
            timestamps.append(bucket.timestamp())
            values.append(_statistic(stat["Stat"], inside))
        bucket += period
    if scan_by == "TimestampDescending":
        timestamps.reverse()
        values.reverse()
    label = query.get("Label") or f"{metric['MetricName']} {stat['Stat']}"
    return {"Id": query["Id"], "Label": label, "Timestamps": timestamps, "Values": values, "StatusCode": "Complete"}


def _statistic(name: str, values: list[float]) -> float:
    match = PERCENTILE.match(name)
    if match:
        ordered = sorted(values)
        rank = math.ceil(float(match.group(1)) / 100 * len(ordered))  # nearest rank
        return ordered[max(rank, 1) - 1]
    return {
        "Sum": sum(values), "Average": sum(values) / len(values), "Minimum": min(values),
        "Maximum": max(values), "SampleCount": float(len(values)),
    }[name]


def _time(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return _aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
