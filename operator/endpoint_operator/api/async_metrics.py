"""The CloudWatch metrics an asynchronous endpoint publishes per variant.

Developer guide, "Monitor Asynchronous Endpoint" (alarms and logs for tracking metrics
from asynchronous endpoints): "The metrics below are an exhaustive list of metrics for
asynchronous endpoints ... Any metric not listed below is not published if the
endpoint is enabled for asynchronous inference. Such metrics include (but are not
limited to): OverheadLatency, Invocations, InvocationsPerInstance". Its "Common
Endpoint Metrics" (Invocation4XXErrors, Invocation5XXErrors, ModelLatency) "are the
same as the metrics published for real-time endpoints", per variant; "The following
metrics are published with the EndpointName and VariantName dimensions" lists the
rest below. The backlog metrics (ApproximateBacklogSize, ...PerInstance,
ApproximateAgeOfOldestRequest) carry "the EndpointName dimension" alone: a gate reads
a variant's metrics, so they cannot tell the canary from the primary.
"""

from __future__ import annotations

ASYNC_COMMON_METRICS = ("Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency")
ASYNC_ONLY_METRICS = (
    "RequestDownloadFailures", "ResponseUploadFailures", "NotificationFailures", "RequestDownloadLatency",
    "ResponseUploadLatency", "ExpiredRequests", "InvocationFailures", "InvocationsProcesssed", "TimeInBacklog",
    "TotalProcessingTime",
)
ASYNC_VARIANT_METRICS = ASYNC_COMMON_METRICS + ASYNC_ONLY_METRICS
# What counts an asynchronous variant's requests, in place of a real-time variant's
# Invocations: "Number of async invocations processed by the endpoint" (AWS's spelling).
ASYNC_REQUESTS_METRIC = "InvocationsProcesssed"
