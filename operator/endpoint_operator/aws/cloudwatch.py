"""CloudWatch: the alarms the operator owns (an async endpoint's wake-from-zero alarm),
and the reads that judge a canary step (alarm states, metric values over a window).

Alarms that target tracking creates belong to Application Auto Scaling, which makes
and removes them with their policy; they are never written here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..api.scaling import MetricAlarm
from .calls import ServiceGateway

ALARMS_PAGE_SIZE = 100  # DescribeAlarms' maximum
ALARM_NAMES_PER_CALL = 100  # DescribeAlarms takes at most 100 AlarmNames
QUERIES_PER_CALL = 500  # GetMetricData's limit
MIN_PERIOD = 60  # standard-resolution metrics: a multiple of 60 seconds
# MetricStat.Period: "If the StartTime parameter specifies a time stamp that is greater
# than 3 hours ago, you must specify the period as follows or no data points in that
# time range is returned": a multiple of 60 s up to 15 days back, of 300 s from 15 to
# 63 days back, of 3600 s beyond (CloudWatch API Reference, MetricStat).
PERIOD_GRANULES = ((timedelta(days=63), 3600), (timedelta(days=15), 300))


@dataclass(frozen=True)
class MetricQuery:
    key: str  # the query id, [a-z][a-zA-Z0-9_]*
    namespace: str
    metric: str
    statistic: str  # Average | Sum | Maximum | ... | p99
    dimensions: Mapping[str, str] = field(default_factory=dict)
DELETE_BATCH = 100  # DeleteAlarms takes at most 100 names


class CloudWatchGateway(ServiceGateway):
    service = "cloudwatch"

    # ---- observe ------------------------------------------------------------------------

    def metric_alarms(self, name_prefix: str) -> list[MetricAlarm]:
        """Metric alarms whose name starts with `name_prefix` (all pages)."""
        return [
            alarm_of(row)
            for page in self._pages("DescribeAlarms", "read", AlarmNamePrefix=name_prefix,
                                    AlarmTypes=["MetricAlarm"], MaxRecords=ALARMS_PAGE_SIZE)
            for row in page.get("MetricAlarms", [])
        ]

    def alarm_states(self, names: Iterable[str]) -> dict[str, str]:
        """StateValue (OK | ALARM | INSUFFICIENT_DATA) of each named alarm that exists,
        metric or composite; a name that does not exist is absent from the answer."""
        names = sorted(set(names))
        states: dict[str, str] = {}
        for start in range(0, len(names), ALARM_NAMES_PER_CALL):
            for page in self._pages("DescribeAlarms", "read", AlarmNames=names[start:start + ALARM_NAMES_PER_CALL],
                                    AlarmTypes=["MetricAlarm", "CompositeAlarm"], MaxRecords=ALARMS_PAGE_SIZE):
                for row in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
                    states[row["AlarmName"]] = row["StateValue"]
        return states

    def metric_values(self, queries: Sequence[MetricQuery], start: datetime, end: datetime) -> dict[str, float | None]:
        """One value per query over [start, end), None where there is no data.

        One period spans the whole window, so a percentile is the window's percentile,
        not a blend of per-minute ones; should CloudWatch still split the window, the
        largest value counts (every gate is an upper bound)."""
        period = window_period(start, end)
        values: dict[str, float | None] = {q.key: None for q in queries}
        for first in range(0, len(queries), QUERIES_PER_CALL):
            batch = [metric_query_request(q, period) for q in queries[first:first + QUERIES_PER_CALL]]
            for page in self._pages("GetMetricData", "read", MetricDataQueries=batch, StartTime=start, EndTime=end,
                                    ScanBy="TimestampDescending"):
                for result in page.get("MetricDataResults", []):
                    found = [float(v) for v in result.get("Values", []) if v is not None]
                    if found:
                        known = values.get(result["Id"])
                        values[result["Id"]] = max(found + ([known] if known is not None else []))
        return values

    # ---- apply --------------------------------------------------------------------------

    def put_metric_alarm(self, alarm: MetricAlarm, tags: Mapping[str, str] | None = None) -> None:
        """Creates or replaces the alarm; tags apply only when it is created."""
        self._call("PutMetricAlarm", "mutation", **alarm_request(alarm, tags or {}))

    def delete_alarms(self, names: Iterable[str]) -> None:
        """Deletes the alarms; names that do not exist are no error."""
        names = sorted(set(names))
        for start in range(0, len(names), DELETE_BATCH):
            self._call("DeleteAlarms", "mutation", AlarmNames=names[start:start + DELETE_BATCH])


# ---- request and answer shapes (pure) ----------------------------------------------------

def alarm_request(alarm: MetricAlarm, tags: Mapping[str, str]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "AlarmName": alarm.name,
        "Namespace": alarm.namespace,
        "MetricName": alarm.metric_name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(alarm.dimensions.items())],
        "Statistic": alarm.statistic,
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "Threshold": float(alarm.threshold),
        "ComparisonOperator": alarm.comparison,
        "TreatMissingData": alarm.treat_missing_data,
        "AlarmActions": list(alarm.actions),
        "ActionsEnabled": True,
    }
    if tags:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    return request


def window_period(start: datetime, end: datetime) -> int:
    """One period covering [start, end) that CloudWatch answers for a start that old
    (`end` is now): a long pause or a long wait for promotion still reads its data."""
    age = end - start
    granule = next((g for older, g in PERIOD_GRANULES if age > older), MIN_PERIOD)
    return max(granule, math.ceil(age.total_seconds() / granule) * granule)


def metric_query_request(query: MetricQuery, period: int) -> dict[str, Any]:
    return {
        "Id": query.key,
        "MetricStat": {
            "Metric": {
                "Namespace": query.namespace,
                "MetricName": query.metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(query.dimensions.items())],
            },
            "Period": period,
            "Stat": query.statistic,
        },
        "ReturnData": True,
    }


def alarm_of(row: Mapping[str, Any]) -> MetricAlarm:
    return MetricAlarm(
        name=row["AlarmName"],
        namespace=row.get("Namespace", ""),
        metric_name=row.get("MetricName", ""),
        dimensions={d["Name"]: d["Value"] for d in row.get("Dimensions", [])},
        statistic=row.get("Statistic", "Average"),
        period=int(row.get("Period", 60)),
        evaluation_periods=int(row.get("EvaluationPeriods", 1)),
        threshold=float(row.get("Threshold", 0.0)),
        comparison=row.get("ComparisonOperator", ""),
        treat_missing_data=row.get("TreatMissingData", "missing"),
        actions=tuple(row.get("AlarmActions", [])),
    )
