"""When an endpoint was last invoked: CloudWatch's Invocations, read while a replaced
endpoint drains (never at rest)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .calls import ServiceGateway
from .cloudwatch import MIN_PERIOD, PERIOD_GRANULES

NAMESPACE = "AWS/SageMaker"


class InvocationsGateway(ServiceGateway):
    service = "cloudwatch"

    def last_invocation(self, endpoint: str, variants: Iterable[str], start: datetime, end: datetime) -> datetime | None:
        """The start of the latest period in [start, end) with invocations of any of
        the endpoint's variants, or None when there were none."""
        period = _period(start, end)
        queries = [{
            "Id": f"v{index}",
            "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": "Invocations",
                                      "Dimensions": [{"Name": "EndpointName", "Value": endpoint},
                                                     {"Name": "VariantName", "Value": variant}]},
                           "Period": period, "Stat": "Sum"},
            "ReturnData": True,
        } for index, variant in enumerate(sorted(set(variants)))]
        if not queries:
            return None
        latest: datetime | None = None
        for page in self._pages("GetMetricData", "read", MetricDataQueries=queries, StartTime=start, EndTime=end,
                                ScanBy="TimestampDescending"):
            for result in page.get("MetricDataResults", []):
                for moment, value in zip(result.get("Timestamps", []), result.get("Values", [])):
                    if value and value > 0 and (latest is None or moment > latest):
                        latest = moment
        return latest


def _period(start: datetime, end: datetime) -> int:
    """One-minute periods where CloudWatch answers them for a start that old, coarser
    beyond (MetricStat.Period's granule rules, PERIOD_GRANULES in cloudwatch.py)."""
    age = end - start
    return next((granule for older, granule in PERIOD_GRANULES if age > older), MIN_PERIOD)
