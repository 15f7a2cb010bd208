"""Gate thresholds with units, in the units CloudWatch reports.

SageMaker publishes its latency metrics in microseconds and its error metrics as 0 or 1
per request ("Monitor Amazon SageMaker AI with Amazon CloudWatch", endpoint invocation
metrics), so `max: 1100` next to ModelLatency would mean 1.1 ms, not the 1.1 s a reader
expects. A threshold for a latency metric therefore carries its unit (`1100ms`, `1.1s`,
`800us`); a threshold for the Average of an error metric (an error rate) is a fraction
(`0.02`) or a percentage (`2%`); other metrics take plain numbers.
"""

from __future__ import annotations

import re

# Metrics of AWS/SageMaker reported in microseconds (the developer guide's "Units:
# Microseconds"): an endpoint's invocation latencies, a multi-model endpoint's
# model loading times, and an asynchronous endpoint's time in backlog and S3 transfers
# ("Monitor Asynchronous Endpoint"; its TotalProcessingTime is in milliseconds).
MICROSECOND_METRICS = frozenset({
    "ModelLatency", "OverheadLatency", "ModelSetupTime",
    "ModelLoadingWaitTime", "ModelDownloadingTime", "ModelLoadingTime", "ModelUnloadingTime",
    "TimeInBacklog", "RequestDownloadLatency", "ResponseUploadLatency",
})
# Metrics that send 1 for each failed request and 0 otherwise: their Average is an
# error rate, their Sum follows the variant's share of traffic.
PER_REQUEST_ERROR_METRICS = frozenset({"Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors"})
# Counts of requests, whatever the metric: a ratio of them between two variants only
# repeats their traffic split.
TRAFFIC_STATISTICS = frozenset({"SampleCount"})
INVOCATIONS_METRIC = "Invocations"

THRESHOLD = r"^[0-9]+(\.[0-9]+)?(us|ms|s|%)?$"
THRESHOLD_LEN = 32
TIME_UNITS = {"us": 1.0, "ms": 1_000.0, "s": 1_000_000.0}  # to microseconds
_PARTS = re.compile(THRESHOLD)


def unit_of(threshold: int | str) -> str:
    """'' for a plain number, else us | ms | s | %."""
    if isinstance(threshold, int):
        return ""
    match = _PARTS.match(threshold)
    return match.group(2) or "" if match else ""


def threshold_value(threshold: int | str) -> float:
    """The threshold in CloudWatch's unit: microseconds for a time, a fraction for a %."""
    if isinstance(threshold, int):
        return float(threshold)
    match = _PARTS.match(threshold)
    if match is None:
        raise ValueError(f"not a threshold: {threshold!r} (for example 1100ms, 2%, 0.5)")
    number = float(threshold[: len(threshold) - len(match.group(2) or "")])
    unit = match.group(2) or ""
    if unit == "%":
        return number / 100
    return number * TIME_UNITS.get(unit, 1.0)


def wants_time_unit(metric: str, statistic: str) -> bool:
    return metric in MICROSECOND_METRICS and statistic not in TRAFFIC_STATISTICS


def is_error_rate(metric: str, statistic: str) -> bool:
    return metric in PER_REQUEST_ERROR_METRICS and statistic == "Average"


def show(value: float, metric: str, statistic: str) -> str:
    """A value read from CloudWatch as a user would write it."""
    if wants_time_unit(metric, statistic):
        return f"{value / 1000:.4g}ms"
    if is_error_rate(metric, statistic):
        return f"{value * 100:.4g}%"
    return f"{value:g}"
