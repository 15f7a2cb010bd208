"""Load for the demo and for sandbox runs: put a profile on an endpoint, let virtual
time run, and read back what CloudWatch shows per variant, as a person would look at a
dashboard. Built on the emulator's control API (EmulatorClient.set_traffic) and
GetMetricData; the load model is docs/load-model.md."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .emulator import EmulatorClient
from .emulator.boto import emulator_client

MINUTE = 60


@dataclass(frozen=True)
class VariantMinute:
    """One variant's metrics over one virtual minute."""

    start: float
    invocations: float
    p99_ms: float | None
    error_rate: float | None  # Invocation5XXErrors Average
    instances: float | None  # CPUUtilization SampleCount: one sample per instance a minute


def run_load(url: str, endpoint: str, profile: dict[str, Any], minutes: int, scale: float = 600,
             timeout: float = 120.0, **settings: Any) -> tuple[float, float]:
    """Load `endpoint` with `profile` from the next virtual minute for `minutes` minutes at
    `scale` virtual seconds per real second; back at real time once they are published.
    The (start, end) of the loaded minutes in virtual epoch seconds; the load stays on."""
    client = EmulatorClient(url)
    start = (client.clock()["now"] // MINUTE + 1) * MINUTE
    end = start + minutes * MINUTE
    client.set_traffic(endpoint, profile, startAt=start, **settings)
    client.set_time_scale(scale)
    deadline = time.monotonic() + timeout
    try:
        while (client.traffic(endpoint)[endpoint]["through"] or 0) < end:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{minutes} virtual minutes of load not published within {timeout:g}s")
            time.sleep(0.05)
    finally:
        client.set_time_scale(1)
    return start, end


def variant_minutes(url: str, endpoint: str, variant: str, start: float, end: float,
                    region: str = "us-east-1") -> list[VariantMinute]:
    """What CloudWatch shows for one variant, minute by minute."""
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]
    queries = [
        ("inv", "AWS/SageMaker", "Invocations", "Sum"), ("p99", "AWS/SageMaker", "ModelLatency", "p99"),
        ("err", "AWS/SageMaker", "Invocation5XXErrors", "Average"),
        ("ins", "/aws/sagemaker/Endpoints", "CPUUtilization", "SampleCount"),
    ]
    answer = emulator_client(url, "cloudwatch", region).get_metric_data(
        MetricDataQueries=[{"Id": qid, "MetricStat": {
            "Metric": {"Namespace": ns, "MetricName": name, "Dimensions": dims}, "Period": MINUTE, "Stat": stat}}
            for qid, ns, name, stat in queries],
        StartTime=datetime.fromtimestamp(start, tz=timezone.utc), EndTime=datetime.fromtimestamp(end, tz=timezone.utc))
    series = {r["Id"]: dict(zip((t.timestamp() for t in r["Timestamps"]), r["Values"]))
              for r in answer["MetricDataResults"]}
    return [VariantMinute(t, series["inv"][t], _ms(series["p99"].get(t)), series["err"].get(t), series["ins"].get(t))
            for t in sorted(series["inv"])]


def describe(rows: list[VariantMinute]) -> str:
    """A small table for the demo's output."""
    lines = [f"{'minute':>8} {'requests':>9} {'p99':>9} {'5xx':>6} {'instances':>9}"]
    for row in rows:
        clock = datetime.fromtimestamp(row.start, tz=timezone.utc).strftime("%H:%M")
        p99 = f"{row.p99_ms:.0f}ms" if row.p99_ms is not None else "-"
        errors = f"{row.error_rate:.1%}" if row.error_rate is not None else "-"
        instances = f"{row.instances:g}" if row.instances is not None else "-"
        lines.append(f"{clock:>8} {row.invocations:>9.0f} {p99:>9} {errors:>6} {instances:>9}")
    return "\n".join(lines)


def _ms(microseconds: float | None) -> float | None:
    return None if microseconds is None else microseconds / 1000
