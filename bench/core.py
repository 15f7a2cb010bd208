"""Reconcile-core economy on the sandbox: AWS calls per endpoint-hour at rest, and the
time from `kubectl apply` to the first CreateEndpoint call.

    .venv/bin/python bench/core.py [--endpoints 20] [--rest-seconds 180]

The operator runs with its production intervals (10 s fast poll, 60 s ListEndpoints
sweep, 6 h resync). At-rest cost has two parts, measured separately:
  sweep  – calls during a quiet window, divided by endpoints and scaled to an hour;
  resync – calls of one full re-observation per object, measured by restarting the
           operator (a start syncs every object once), times the resyncs in an hour.
Prints figures as medians and per-hour rates; no assertion, no pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from endpoint_operator.sandbox.controlplane import ControlPlane, repo_root
from endpoint_operator.sandbox.emulator import Emulator
from endpoint_operator.sandbox.operator_process import OperatorProcess
from endpoint_operator.sandbox.seed import artifact_urls, seed_artifacts

CRD = repo_root() / "crds" / "modelendpoints.serving.endpoint-operator.io.yaml"
RESYNC_SECONDS = 21600.0  # the operator's default
SWEEP_SECONDS = 60.0


def manifest(i: int) -> dict:
    return {
        "apiVersion": "serving.endpoint-operator.io/v1alpha1", "kind": "ModelEndpoint",
        "metadata": {"name": f"bench-{i:04d}", "namespace": "default"},
        "spec": {
            "region": "us-east-1", "mode": "RealTime",
            "executionRoleArn": "arn:aws:iam::111122223333:role/sagemaker-exec",
            "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7",
            "models": [{"name": "model", "modelDataUrl": f"s3://bench-models/m{i}/model.tar.gz"}],
            "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
        },
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--rest-seconds", type=float, default=180.0)
    args = parser.parse_args()
    n = args.endpoints
    docs = [manifest(i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp, ControlPlane() as cp, Emulator(delay_seconds=1.0) as emu:
        cp.kubectl("apply", "--server-side", "-f", str(CRD))
        cp.wait_for_crd("modelendpoints.serving.endpoint-operator.io")
        seed_artifacts(emu.url, artifact_urls(docs))
        production = ["--fast-poll-seconds", "10", "--sweep-seconds", str(SWEEP_SECONDS),
                      "--resync-seconds", str(RESYNC_SECONDS)]
        operator = OperatorProcess(cp.kubeconfig, emu.url, Path(tmp) / "operator.log", extra_args=production)
        operator.start()
        try:
            applied: dict[str, float] = {}
            for doc in docs:
                cp.kubectl("apply", "-f", "-", input=yaml.safe_dump(doc))
                applied[f"default-{doc['metadata']['name']}"] = time.time()
            cp.kubectl("wait", "--for=condition=Ready", "mep", "--all", "--timeout=600s")
            first_create: dict[str, float] = {}
            for call in emu.client.calls(operation="CreateEndpoint"):
                first_create.setdefault(call["params"]["EndpointName"], call["timestamp"])
            latencies = [first_create[name] - t for name, t in applied.items() if name in first_create]

            # Let superseded-resource collection and the last fast polls settle.
            time.sleep(25)
            start = emu.client.calls()[-1]["seq"]
            time.sleep(args.rest_seconds)
            rest = emu.client.calls(after=start)
            sweep_ops = Counter(c["operation"] for c in rest)

            operator.stop()
            mark = emu.client.calls()[-1]["seq"]
            operator.start()
            time.sleep(15)
            resync_ops = Counter(c["operation"] for c in emu.client.calls(after=mark) if c["operation"] != "ListEndpoints")
        finally:
            operator.stop()

    per_hour = 3600.0 / args.rest_seconds
    sweep_per_ep_hour = sum(sweep_ops.values()) * per_hour / n
    resync_per_ep = sum(resync_ops.values()) / n
    resync_per_ep_hour = resync_per_ep * 3600.0 / RESYNC_SECONDS
    print(f"endpoints: {n}   rest window: {args.rest_seconds:.0f}s   sweep every {SWEEP_SECONDS:.0f}s   resync every {RESYNC_SECONDS:.0f}s")
    print(f"apply -> first CreateEndpoint: median {statistics.median(latencies):.2f}s  p99 {percentile(latencies, 99):.2f}s  (n={len(latencies)})")
    print("AWS calls at rest, per endpoint-hour:")
    for op, count in sorted(sweep_ops.items()):
        print(f"  sweep   {op:28s} {count * per_hour / n:7.2f}")
    for op, count in sorted(resync_ops.items()):
        print(f"  resync  {op:28s} {count / n * 3600.0 / RESYNC_SECONDS:7.2f}")
    print(f"  total                                {sweep_per_ep_hour + resync_per_ep_hour:7.2f}"
          f"   (a per-object 30 s resync costs 120 DescribeEndpoint alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
