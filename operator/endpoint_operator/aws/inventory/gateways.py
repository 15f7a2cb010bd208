"""The calls assess makes, one gateway per service, every one a read.

They pace on the operator's limiter (aws/limiter.py) like every other gateway, but a
command-line run may wait longer for a token than a worker thread of the operator:
it has nothing else to do meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ...api.inventory import ExistingModel, ExistingScaling
from ...api.scaling import SERVICE_NAMESPACE, VARIANT_DIMENSION
from ..calls import ServiceGateway
from ..errors import NotFound, Transient

PAGE_SIZE = 100  # ListEndpoints' maximum
TAGS_PAGE_SIZE = 50  # ListTags' maximum
TARGET_IDS_PER_CALL = 50  # DescribeScalableTargets takes at most 50 resource ids
# GetMetricData: "You can ... include as many as 500 MetricDataQuery structures" and
# "A GetMetricData operation that includes ... can retrieve up to 100,800 data points"
# (CloudWatch API Reference, GetMetricData).
QUERIES_PER_CALL = 500
POINTS_PER_CALL = 100_800
ASSESS_PACE_SECONDS = 60.0
RETRIES = 6
MAX_RETRY_WAIT = 30.0


class _ReadOnly(ServiceGateway):
    max_pace_seconds = ASSESS_PACE_SECONDS

    def _call(self, operation: str, kind, **params: Any) -> dict[str, Any]:
        """A throttled or failed read is tried again after the wait AWS or the limiter
        asks for (the limiter has already slowed down for a throttle): a command-line
        reader has no queue to requeue on."""
        for attempt in range(RETRIES):
            try:
                return super()._call(operation, kind, **params)
            except Transient as error:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(min(MAX_RETRY_WAIT, error.retry_after or 0.5 * 2 ** attempt))
        raise AssertionError("unreachable")


class SageMakerInventory(_ReadOnly):
    service = "sagemaker"

    def endpoint_names(self) -> list[str]:
        return [row["EndpointName"]
                for page in self._pages("ListEndpoints", "read", MaxResults=PAGE_SIZE, SortBy="Name")
                for row in page.get("Endpoints", [])]

    def endpoint(self, name: str) -> dict[str, Any] | None:
        try:
            return self._call("DescribeEndpoint", "read", EndpointName=name)
        except NotFound:
            return None  # deleted between the listing and now

    def endpoint_config(self, name: str) -> dict[str, Any] | None:
        try:
            return self._call("DescribeEndpointConfig", "read", EndpointConfigName=name)
        except NotFound:
            return None

    def model(self, name: str) -> ExistingModel | None:
        try:
            found = self._call("DescribeModel", "read", ModelName=name)
        except NotFound:
            return None
        container = found.get("PrimaryContainer") or (found.get("Containers") or [{}])[0]
        return ExistingModel(name=name, image=container.get("Image"), model_data_url=container.get("ModelDataUrl"),
                             execution_role_arn=found.get("ExecutionRoleArn"),
                             mode=container.get("Mode", "SingleModel"))

    def tags(self, arn: str) -> dict[str, str]:
        return {tag["Key"]: tag["Value"]
                for page in self._pages("ListTags", "read", ResourceArn=arn, MaxResults=TAGS_PAGE_SIZE)
                for tag in page.get("Tags", [])}


class ScalingInventory(_ReadOnly):
    service = "application-autoscaling"

    def targets(self, resource_ids: Iterable[str]) -> dict[str, ExistingScaling]:
        ids = sorted(set(resource_ids))
        found: dict[str, ExistingScaling] = {}
        for start in range(0, len(ids), TARGET_IDS_PER_CALL):
            for page in self._pages("DescribeScalableTargets", "read", ServiceNamespace=SERVICE_NAMESPACE,
                                    ResourceIds=ids[start:start + TARGET_IDS_PER_CALL],
                                    ScalableDimension=VARIANT_DIMENSION):
                for row in page.get("ScalableTargets", []):
                    found[row["ResourceId"]] = ExistingScaling(
                        resource_id=row["ResourceId"], min_capacity=row["MinCapacity"],
                        max_capacity=row["MaxCapacity"], policies=tuple(self._policies(row["ResourceId"])))
        return found

    def _policies(self, resource_id: str) -> list[str]:
        return [f"{row['PolicyName']} ({row['PolicyType']})"
                for page in self._pages("DescribeScalingPolicies", "read", ServiceNamespace=SERVICE_NAMESPACE,
                                        ResourceId=resource_id, ScalableDimension=VARIANT_DIMENSION)
                for row in page.get("ScalingPolicies", []) if row["ResourceId"] == resource_id]


class MetricsInventory(_ReadOnly):
    service = "cloudwatch"

    def hourly(self, queries: Sequence[dict[str, Any]], start: datetime, end: datetime,
               hours: int) -> dict[str, list[float | None]]:
        """One value per hour of [start, end) for each MetricDataQuery (`Id` -> series).

        Batches stay within GetMetricData's query and data-point limits; each batch is
        paged with NextToken."""
        per_call = max(1, min(QUERIES_PER_CALL, POINTS_PER_CALL // max(hours, 1)))
        series: dict[str, list[float | None]] = {q["Id"]: [None] * hours for q in queries}
        for first in range(0, len(queries), per_call):
            batch = list(queries[first:first + per_call])
            for page in self._pages("GetMetricData", "read", MetricDataQueries=batch, StartTime=start,
                                    EndTime=end, ScanBy="TimestampAscending"):
                for result in page.get("MetricDataResults", []):
                    row = series[result["Id"]]
                    for moment, value in zip(result.get("Timestamps", []), result.get("Values", [])):
                        index = int((moment - start).total_seconds() // 3600)
                        if 0 <= index < hours:
                            row[index] = float(value)
        return series
