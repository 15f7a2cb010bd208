"""CloudWatch: the alarms the operator owns (an async endpoint's wake-from-zero alarm).

Alarms that target tracking creates belong to Application Auto Scaling, which makes
and removes them with their policy; they are never written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..api.scaling import MetricAlarm
from .calls import ServiceGateway

ALARMS_PAGE_SIZE = 100  # DescribeAlarms' maximum
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
