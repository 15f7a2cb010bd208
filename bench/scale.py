"""The operator at scale on the sandbox: N ModelEndpoints applied at once, then at rest.

    .venv/bin/python bench/scale.py [--sizes 100,500,1000] [--rest-seconds 300] [--delay 3]
                                    [--throttle-tps 8 --throttle-size 100]

Each size gets a fresh control plane, emulator (every endpoint transition takes
--delay seconds) and operator with its production settings (10 s fast poll, 60 s
ListEndpoints sweep, 30 min resync, 5 mutations/s and 10 reads/s per account and
region). All manifests go in one `kubectl create`; per object the script reports:

  apply -> first mutation       the object's first SageMaker write (its CreateModel):
                                "all acted on" is the largest of these
  apply -> first CreateEndpoint from the emulator's call log
  apply -> Ready                to the Ready condition's lastTransitionTime
  status seen                   Ready's lastTransitionTime minus the moment the
                                endpoint went InService (CreateEndpoint + delay)
  AWS calls at rest             a quiet window scaled to an hour, plus one resync per
                                object (measured by restarting the operator, which
                                syncs every object once) times the resyncs in an hour
  kube-apiserver requests       apiserver_request_total on modelendpoints and events
                                (only the operator touches those; kubectl's polls are
                                LISTs, left out of the burst count)
  RSS, CPU                      /proc of the operator process; RSS sampled every
                                10 s over the rest window (growth = last - first)

With --throttle-tps the emulator throttles SageMaker above that rate for a burst of
--throttle-size objects: the line reports the throttles AWS sent and whether any
condition ever called the object failed. Prints numbers; no pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from core import CRD, RESYNC_SECONDS, manifest, percentile
from endpoint_operator.sandbox.controlplane import ControlPlane
from endpoint_operator.sandbox.emulator import Emulator
from endpoint_operator.sandbox.emulator.calls import READ_PREFIXES
from endpoint_operator.sandbox.operator_process import OperatorProcess
from endpoint_operator.sandbox.seed import artifact_urls, seed_artifacts

PRODUCTION = ["--fast-poll-seconds", "10", "--sweep-seconds", "60", "--resync-seconds", str(RESYNC_SECONDS),
              "--mutations-per-second", "5", "--reads-per-second", "10"]
OPERATOR_RESOURCES = ("modelendpoints", "events")
WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    n: int
    apply_seconds: float = 0.0
    first_mutation: list[float] = field(default_factory=list)
    first_create: list[float] = field(default_factory=list)
    ready: list[float] = field(default_factory=list)
    seen: list[float] = field(default_factory=list)
    burst_calls: Counter = field(default_factory=Counter)
    burst_kube_writes: float = 0.0
    burst_cpu: float = 0.0
    burst_wall: float = 0.0
    peak_rss: float = 0.0
    rest_seconds: float = 0.0
    sweep_ops: Counter = field(default_factory=Counter)
    resync_ops: Counter = field(default_factory=Counter)
    rest_kube: float = 0.0
    rest_cpu: float = 0.0
    rss_samples: list[float] = field(default_factory=list)
    throttled: int = 0
    failed_conditions: int = 0


# ---- the operator process, from /proc ----------------------------------------------------

def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


# ---- kube-apiserver ----------------------------------------------------------------------

def apiserver_requests(cp: ControlPlane, verbs: tuple[str, ...] | None = None) -> float:
    """apiserver_request_total summed over the operator's resources (and `verbs`)."""
    context = ssl.create_default_context(cafile=str(cp.ca_file))
    request = urllib.request.Request(f"{cp.server}/metrics", headers={"Authorization": f"Bearer {cp.token}"})
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        text = response.read().decode()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels, value = line.rsplit(" ", 1)
        if not any(f'resource="{r}"' in labels for r in OPERATOR_RESOURCES):
            continue
        if verbs is not None and not any(f'verb="{v}"' in labels for v in verbs):
            continue
        total += float(value)
    return total


def objects(cp: ControlPlane) -> list[dict]:
    result = cp.kubectl("get", "mep", "-n", "default", "-o", "json")
    return json.loads(result.stdout)["items"]


def condition(obj: dict, type_: str) -> dict | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c["type"] == type_), None)


def stamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# ---- one size ------------------------------------------------------------------------------

def run(n: int, rest_seconds: float, delay: float, throttle_tps: int | None, ready_timeout: float) -> Result:
    result = Result(n=n)
    docs = [manifest(i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp, ControlPlane() as cp, Emulator(delay_seconds=delay) as emu:
        cp.kubectl("apply", "--server-side", "-f", str(CRD))
        cp.wait_for_crd("modelendpoints.serving.endpoint-operator.io")
        seed_artifacts(emu.url, artifact_urls(docs))
        operator = OperatorProcess(cp.kubeconfig, emu.url, Path(tmp) / "operator.log", extra_args=PRODUCTION)
        operator.start()
        try:
            if throttle_tps:
                emu.client.rate_limit(per_second=throttle_tps, service="sagemaker")
            manifests = Path(tmp) / "manifests.yaml"
            manifests.write_text(yaml.safe_dump_all(docs))
            kube_before, cpu_before = apiserver_requests(cp, WRITE_VERBS), cpu_seconds(operator.process.pid)
            began = time.time()
            cp.kubectl("create", "-f", str(manifests))
            result.apply_seconds = time.time() - began
            sampler = RssSampler(operator.process.pid, every=5.0).start()
            items = wait_all_ready(cp, n, ready_timeout, operator)
            sampler.stop()
            result.burst_wall = time.time() - began
            result.burst_cpu = cpu_seconds(operator.process.pid) - cpu_before
            result.burst_kube_writes = apiserver_requests(cp, WRITE_VERBS) - kube_before
            result.peak_rss = max(sampler.samples)
            burst = emu.client.calls()
            result.burst_calls = Counter(c["operation"] for c in burst)
            result.throttled = sum(1 for c in burst if c["error_code"] in ("ThrottlingException", "Throttling"))
            measure_burst(result, items, burst, delay)
            if throttle_tps:
                emu.client.clear_faults()
                return result

            time.sleep(30)  # collection of superseded resources and the last polls settle
            mark = emu.client.calls()[-1]["seq"]
            kube_mark, cpu_mark = apiserver_requests(cp), cpu_seconds(operator.process.pid)
            sampler = RssSampler(operator.process.pid, every=10.0).start()
            time.sleep(rest_seconds)
            sampler.stop()
            result.rest_seconds = rest_seconds
            result.rss_samples = sampler.samples
            result.rest_cpu = cpu_seconds(operator.process.pid) - cpu_mark
            result.rest_kube = apiserver_requests(cp) - kube_mark
            result.sweep_ops = Counter(c["operation"] for c in emu.client.calls(after=mark))

            operator.stop()
            mark = emu.client.calls()[-1]["seq"]
            operator.start()
            wait_synced(operator, n, timeout=ready_timeout)
            result.resync_ops = Counter(c["operation"] for c in emu.client.calls(after=mark)
                                        if c["operation"] != "ListEndpoints")
        finally:
            operator.stop()
    return result


class RssSampler:
    def __init__(self, pid: int, every: float):
        self.pid, self.every = pid, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mib(self.pid))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(rss_mib(self.pid))


def wait_all_ready(cp: ControlPlane, n: int, timeout: float, operator: OperatorProcess) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        items = objects(cp)
        ready = sum(1 for o in items if (condition(o, "Ready") or {}).get("status") == "True")
        if ready == n:
            return items
        if time.monotonic() > deadline:
            sys.exit(f"{ready}/{n} Ready after {timeout:.0f}s\n{operator.log()}")
        time.sleep(5)


def wait_synced(operator: OperatorProcess, n: int, timeout: float) -> None:
    """Until the restarted operator has synced every object once and the calls stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        syncs = sum(float(line.rsplit(" ", 1)[1]) for line in operator.metrics().splitlines()
                    if line.startswith("endpoint_operator_reconciles_total"))
        if syncs >= n:
            time.sleep(2)
            return
        time.sleep(1)
    sys.exit(f"the restarted operator did not sync {n} objects in {timeout:.0f}s")


def measure_burst(result: Result, items: list[dict], calls: list[dict], delay: float) -> None:
    endpoint_of = {o["metadata"]["name"]: o["status"]["endpoint"]["name"] for o in items}
    first_mutation: dict[str, float] = {}
    first_create: dict[str, float] = {}
    for call in calls:
        if call["service"] != "sagemaker" or call["operation"].startswith(READ_PREFIXES) or call["status"] >= 400:
            continue
        name = call["params"].get("EndpointName") or call["params"].get("ModelName") \
            or call["params"].get("EndpointConfigName") or ""
        first_mutation.setdefault(_owner_stem(name), call["timestamp"])
        if call["operation"] == "CreateEndpoint":
            first_create.setdefault(name, call["timestamp"])
    for obj in items:
        applied = stamp(obj["metadata"]["creationTimestamp"])
        endpoint = endpoint_of[obj["metadata"]["name"]]
        ready_at = stamp(condition(obj, "Ready")["lastTransitionTime"])
        result.ready.append(ready_at - applied)
        if endpoint in first_mutation:
            result.first_mutation.append(first_mutation[endpoint] - applied)
        if endpoint in first_create:
            result.first_create.append(first_create[endpoint] - applied)
            result.seen.append(ready_at - (first_create[endpoint] + delay))
        reasons = {(c["type"], c["status"], c["reason"]) for c in obj["status"]["conditions"]}
        if ("Ready", "False", "AwsRejected") in reasons or any(t == "Degraded" and s == "True" for t, s, _ in reasons):
            result.failed_conditions += 1


def _owner_stem(name: str) -> str:
    """The endpoint a model or config name belongs to ('<endpoint>-m-<digest>', '-c-')."""
    for marker in ("-m-", "-c-"):
        if marker in name:
            return name.rsplit(marker, 1)[0]
    return name


# ---- report ----------------------------------------------------------------------------

def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):7.1f} s  p99 {percentile(values, 99):7.1f} s  max {max(values):7.1f} s"


def report(r: Result) -> None:
    print(f"\n== {r.n} ModelEndpoints ==  (kubectl create of all: {r.apply_seconds:.1f} s)")
    print(f"apply -> first mutation     median {spread(r.first_mutation)}  (n={len(r.first_mutation)})")
    print(f"apply -> first CreateEndpoint median {spread(r.first_create)}")
    print(f"apply -> Ready              median {spread(r.ready)}")
    print(f"status seen after InService median {spread(r.seen)}")
    mutations = sum(v for k, v in r.burst_calls.items() if not k.startswith(READ_PREFIXES))
    print(f"burst: {sum(r.burst_calls.values())} AWS calls ({mutations} mutations), "
          f"{r.burst_kube_writes / r.n:.1f} kube writes per object, operator CPU {r.burst_cpu:.0f} s "
          f"over {r.burst_wall:.0f} s, peak RSS {r.peak_rss:.0f} MiB")
    print(f"burst throttles from AWS: {r.throttled}; objects with a failure condition: {r.failed_conditions}")
    if not r.rest_seconds:
        return
    per_hour = 3600.0 / r.rest_seconds
    resyncs_per_hour = 3600.0 / RESYNC_SECONDS
    print("AWS calls at rest, per endpoint-hour:")
    for op, count in sorted(r.sweep_ops.items()):
        print(f"  sweep   {op:28s} {count * per_hour / r.n:7.2f}")
    for op, count in sorted(r.resync_ops.items()):
        print(f"  resync  {op:28s} {count / r.n * resyncs_per_hour:7.2f}")
    total = sum(r.sweep_ops.values()) * per_hour / r.n + sum(r.resync_ops.values()) / r.n * resyncs_per_hour
    print(f"  total                                {total:7.2f}")
    print(f"kube-apiserver requests at rest: {r.rest_kube * per_hour / r.n:.2f} per object-hour")
    print(f"at rest: CPU {r.rest_cpu / r.rest_seconds * 100:.1f} % of a core; RSS first {r.rss_samples[0]:.0f} MiB, "
          f"last {r.rss_samples[-1]:.0f} MiB, max {max(r.rss_samples):.0f} MiB "
          f"(growth {r.rss_samples[-1] - r.rss_samples[0]:+.1f} MiB over {r.rest_seconds:.0f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--rest-seconds", type=float, default=300.0)
    parser.add_argument("--delay", type=float, default=3.0, help="seconds per endpoint transition")
    parser.add_argument("--ready-timeout", type=float, default=3600.0)
    parser.add_argument("--throttle-tps", type=int, default=None)
    parser.add_argument("--throttle-size", type=int, default=100)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; transitions {args.delay:g} s; production intervals and budgets")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for n in sizes:
        report(run(n, args.rest_seconds, args.delay, None, args.ready_timeout))
    if args.throttle_tps:
        r = run(args.throttle_size, 0, args.delay, args.throttle_tps, args.ready_timeout)
        print(f"\n== throttled above {args.throttle_tps} SageMaker calls/s ==")
        report(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
