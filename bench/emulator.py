"""Benchmark the SageMaker emulator over HTTP: DescribeEndpoint round trips and
ListEndpoints over a fleet of 100 endpoints, as the operator's poller calls them.

    python bench/emulator.py                  # start an emulator of its own
    python bench/emulator.py --calls 1000
    python bench/emulator.py --url http://127.0.0.1:5000   # one already running

Latency is measured at the client, from boto3 call to parsed response, one
connection per call (moto's server closes each), botocore retries off.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from endpoint_operator.sandbox.emulator import AwsClients, Emulator, EmulatorClient

ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"
FLEET = 100


def timings_ms(call: Callable[[], Any], times: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(name: str, samples: list[float]) -> None:
    print(f"{name:<42} n={len(samples):<5} median={statistics.median(samples):7.2f} ms  "
          f"p99={percentile(samples, 0.99):7.2f} ms  max={max(samples):7.2f} ms")


def build_fleet(sagemaker: Any) -> None:
    sagemaker.create_model(ModelName="bench-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    sagemaker.create_endpoint_config(EndpointConfigName="bench-config", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "bench-model", "InstanceType": "ml.m5.large",
         "InitialInstanceCount": 1},
    ])
    for n in range(FLEET):
        sagemaker.create_endpoint(EndpointName=f"bench-{n:03d}", EndpointConfigName="bench-config")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="benchmark a running emulator (its state is reset) instead of starting one")
    parser.add_argument("--calls", type=int, default=500, help="DescribeEndpoint calls to time (default 500)")
    parser.add_argument("--lists", type=int, default=100, help="ListEndpoints calls to time (default 100)")
    args = parser.parse_args()

    with ExitStack() as stack:
        if args.url:
            url = args.url
        else:
            started = time.perf_counter()
            url = stack.enter_context(Emulator(delay_seconds=0)).url
            print(f"emulator start to first answer: {(time.perf_counter() - started) * 1000:.0f} ms")
        control = EmulatorClient(url)
        control.reset()
        control.set_delay(0)
        sagemaker = AwsClients(url).client("sagemaker", max_attempts=1)
        build_fleet(sagemaker)

        report("DescribeEndpoint", timings_ms(lambda: sagemaker.describe_endpoint(EndpointName="bench-000"),
                                              args.calls))
        report(f"ListEndpoints (MaxResults=100, {FLEET} endpoints)",
               timings_ms(lambda: sagemaker.list_endpoints(MaxResults=100), args.lists))

        served = [c["duration_ms"] for c in control.calls(operation="DescribeEndpoint")][-args.calls:]
        report("DescribeEndpoint, server side", served)
        control.reset()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
