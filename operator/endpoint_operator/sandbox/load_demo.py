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


def concurrency(url: str, endpoint: str, variant: str, start: float, end: float,
                region: str = "us-east-1") -> dict[float, float]:
    """The high-resolution ConcurrentRequestsPerModel, 10-second datapoints (Average)."""
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]
    answer = emulator_client(url, "cloudwatch", region).get_metric_data(
        MetricDataQueries=[{"Id": "c", "MetricStat": {"Metric": {
            "Namespace": "AWS/SageMaker", "MetricName": "ConcurrentRequestsPerModel", "Dimensions": dims},
            "Period": 10, "Stat": "Average"}}],
        StartTime=datetime.fromtimestamp(start, tz=timezone.utc), EndTime=datetime.fromtimestamp(end, tz=timezone.utc))
    [result] = answer["MetricDataResults"]
    return dict(zip((t.timestamp() for t in result["Timestamps"]), result["Values"]))


def write_chart(url: str, endpoint: str, variants: list[str], start: float, end: float, path: Any,
                region: str = "us-east-1") -> None:
    """A sandbox run as a chart: per variant, requests a minute, instances and p99 (60-second
    metrics) and the 10-second concurrency metric. Needs the charts extra (matplotlib)."""
    from ..cli_chart import pyplot

    plt = pyplot()
    figure, (load, fleet, latency) = plt.subplots(3, 1, sharex=True, figsize=(9, 7.5), constrained_layout=True)
    figure.suptitle(f"sandbox load on {endpoint} (the emulator's CloudWatch metrics)", fontsize=10)
    fast = load.twinx()
    for variant in variants:
        rows = variant_minutes(url, endpoint, variant, start, end, region)
        minutes = [(r.start - start) / 60 for r in rows]
        rows = rows + rows[-1:]  # the last minute's step reaches the end
        minutes = minutes + [(end - start) / 60] if rows else minutes
        load.step(minutes, [r.invocations for r in rows], where="post", label=f"{variant}: Invocations (60 s)")
        tens = concurrency(url, endpoint, variant, start, end, region)
        fast.plot([(t - start) / 60 for t in tens], list(tens.values()), linewidth=0.8, linestyle="--",
                  label=f"{variant}: ConcurrentRequestsPerModel (10 s)")
        fleet.step(minutes, [r.instances or 0 for r in rows], where="post", label=variant)
        latency.step(minutes, [r.p99_ms or 0 for r in rows], where="post", label=variant)
    load.set_ylabel("requests a minute")
    fast.set_ylabel("concurrent requests")
    load.legend(fontsize=8, loc="upper left")
    fast.legend(fontsize=8, loc="center right")
    fleet.set_ylabel("instances")
    fleet.legend(fontsize=8, loc="upper left")
    latency.set_ylabel("ModelLatency p99 (ms)")
    latency.set_xlabel("minutes")
    latency.legend(fontsize=8, loc="upper left")
    figure.savefig(path, dpi=110)
    plt.close(figure)


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
