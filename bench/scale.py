"""The operator at scale on the sandbox: N ModelEndpoints applied at once, then at rest.

    .venv/bin/python bench/scale.py [--sizes 100,500,1000] [--rest-seconds 300] [--delay 3]
                                    [--throttle-tps 8 --throttle-size 100]

Each size gets a fresh control plane, emulator (every endpoint transition takes
--delay seconds) and operator with its production settings (10 s fast poll, 60 s
ListEndpoints sweep, 10 min scaling sweep, 6 h resync, a limiter pace starting at
5 mutations/s and 10 reads/s per account and region). All manifests go in one `kubectl create`; per object the script reports:

  apply -> first mutation       the object's first SageMaker write (its CreateModel):
                                "all acted on" is the largest of these
  apply -> first CreateEndpoint from the emulator's call log
  apply -> Ready                to the Ready condition's lastTransitionTime
  status seen                   Ready's lastTransitionTime minus the moment the
                                endpoint went InService (CreateEndpoint + delay)
  AWS calls per object          every call from the apply to all Ready, the sweep's pages
                                included, divided by the objects
  limiter pace                  the operator's endpoint_operator_aws_pace_per_second,
                                sampled every 2 s of the burst
  AWS calls at rest             a quiet window scaled to an hour (use at least 600 s to
                                take in one scaling sweep), plus one resync per
                                object (measured by restarting the operator, which
                                syncs every object once) times the resyncs in an hour
  kube-apiserver requests       apiserver_request_total on modelendpoints and events
                                (only the operator touches those; kubectl's polls are
                                LISTs, left out of the burst count)
  RSS, CPU                      /proc of the operator process; RSS sampled every
                                10 s over the rest window: at its start and end, and
                                the growth (end - start) in MiB and in %

Then every object is deleted in one `kubectl delete`: when each is gone (polled every
second), the AWS calls per endpoint, what is left in AWS and the orphan audit's exit
code. --rest-seconds 0 skips the rest window and the resync.

With --throttle-tps the emulator throttles SageMaker above that rate for a burst of
--throttle-size objects: the line reports the throttles AWS sent, the pace the
limiter found and whether any condition ever called the object failed. Prints numbers; no pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import boto3
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
    paces: list[tuple[float, float, float]] = field(default_factory=list)  # (seconds, reads/s, mutations/s)
    delete_gone: list[float] = field(default_factory=list)
    delete_calls: Counter = field(default_factory=Counter)
    delete_left: dict[str, int] = field(default_factory=dict)
    audit_rc: int | None = None


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
            seeded = emu.client.calls()[-1]["seq"]  # the artifacts' uploads are not the operator's
            began = time.time()
            cp.kubectl("create", "-f", str(manifests))
            result.apply_seconds = time.time() - began
            sampler = RssSampler(operator.process.pid, every=5.0).start()
            pacer = PaceSampler(operator, every=2.0).start()
            items = wait_all_ready(cp, n, ready_timeout, operator)
            sampler.stop()
            pacer.stop()
            result.paces = pacer.samples
            result.burst_wall = time.time() - began
            result.burst_cpu = cpu_seconds(operator.process.pid) - cpu_before
            result.burst_kube_writes = apiserver_requests(cp, WRITE_VERBS) - kube_before
            result.peak_rss = max(sampler.samples)
            burst = emu.client.calls(after=seeded)
            result.burst_calls = Counter(c["operation"] for c in burst)
            result.throttled = sum(1 for c in burst if c["error_code"] in ("ThrottlingException", "Throttling"))
            measure_burst(result, items, burst, delay)
            if throttle_tps:
                emu.client.clear_faults()
                return result
            if rest_seconds > 0:
                rest_and_resync(result, cp, emu, operator, n, rest_seconds, ready_timeout)
            delete_all(result, cp, emu, ready_timeout)
        finally:
            operator.stop()
    return result


def rest_and_resync(result: Result, cp: ControlPlane, emu: Emulator, operator: OperatorProcess, n: int,
                    rest_seconds: float, ready_timeout: float) -> None:
    """At rest for `rest_seconds`, then a restart: its syncs of every object are the resync."""
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
    result.resync_ops = Counter(c["operation"] for c in emu.client.calls(after=mark) if not sweep_call(c))


def sweep_call(call: dict) -> bool:
    """A page of the endpoint sweep or of the scaling sweep (which names no resource)."""
    if call["operation"] == "ListEndpoints":
        return True
    return call["operation"] in ("DescribeScalableTargets", "DescribeScalingPolicies") \
        and not (call["params"].get("ResourceIds") or call["params"].get("ResourceId"))


def delete_all(result: Result, cp: ControlPlane, emu: Emulator, timeout: float) -> None:
    """All objects deleted in one `kubectl delete`: when each is gone, the AWS calls of
    the whole deletion, what is left in AWS, and the orphan audit's verdict."""
    names = {o["metadata"]["name"] for o in objects(cp)}
    mark = emu.client.calls()[-1]["seq"]
    began = time.time()
    cp.kubectl("delete", "mep", "--all", "-n", "default", "--wait=false")
    deadline = time.monotonic() + timeout
    while names and time.monotonic() < deadline:
        present = {o["metadata"]["name"] for o in objects(cp)}
        for name in names - present:
            result.delete_gone.append(time.time() - began)
        names &= present
        time.sleep(1)
    result.delete_calls = Counter(c["operation"] for c in emu.client.calls(after=mark))
    sm = boto3.client("sagemaker", endpoint_url=emu.url, region_name="us-east-1",
                      aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    result.delete_left = {
        "endpoints": len(sm.list_endpoints(MaxResults=100)["Endpoints"]),
        "configs": len(sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]),
        "models": len(sm.list_models(MaxResults=100)["Models"]),
    }
    audit = subprocess.run([str(Path(sys.executable).parent / "endpoint-operator"), "audit", "--region", "us-east-1",
                            "--kubeconfig", str(cp.kubeconfig), "--aws-endpoint-url", emu.url],
                           capture_output=True, text=True,
                           env={**os.environ, "AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"})
    result.audit_rc = audit.returncode


class PaceSampler:
    """The operator's limiter pace (its metrics), every few seconds of the burst."""

    def __init__(self, operator: OperatorProcess, every: float):
        self.operator, self.every = operator, every
        self.samples: list[tuple[float, float, float]] = []
        self._began = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "PaceSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                text = self.operator.metrics()
            except OSError:
                continue
            pace = {"read": 0.0, "mutation": 0.0}
            for line in text.splitlines():
                if line.startswith("endpoint_operator_aws_pace_per_second{"):
                    kind = line.split('kind="', 1)[1].split('"', 1)[0]
                    pace[kind] = max(pace[kind], float(line.rsplit(" ", 1)[1]))
            self.samples.append((time.time() - self._began, pace["read"], pace["mutation"]))


class RssSampler:
    def __init__(self, pid: int, every: float):
        self.pid, self.every = pid, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "RssSampler":
        self.samples.append(rss_mib(self.pid))  # the start of the window
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
    print(f"AWS calls per object, apply -> all Ready: {sum(r.burst_calls.values()) / r.n:.2f} "
          f"({mutations / r.n:.2f} mutations; the sweep's pages included): "
          + ", ".join(f"{op} {count / r.n:.2f}" for op, count in sorted(r.burst_calls.items())))
    print(f"burst throttles from AWS: {r.throttled}; objects with a failure condition: {r.failed_conditions}")
    if r.paces:
        late = [p for p in r.paces if p[0] >= r.paces[-1][0] / 2] or r.paces
        print(f"limiter pace: reads/s {r.paces[0][1]:.1f} at the start, max {max(p[1] for p in r.paces):.1f}, "
              f"median over the second half {statistics.median(p[1] for p in late):.1f}; mutations/s max "
              f"{max(p[2] for p in r.paces):.1f}, median over the second half {statistics.median(p[2] for p in late):.1f}")
    if r.rest_seconds:
        report_rest(r)
    if r.delete_gone:
        print(f"all {r.n} deleted at once: gone median {statistics.median(r.delete_gone):.1f} s, "
              f"max {max(r.delete_gone):.1f} s ({len(r.delete_gone)} gone); AWS calls per endpoint "
              f"{sum(r.delete_calls.values()) / r.n:.2f} ({', '.join(f'{k} {v}' for k, v in sorted(r.delete_calls.items()))})")
        print(f"left in AWS after the delete: {r.delete_left}; orphan audit exit code {r.audit_rc} (0: nothing left)")


def report_rest(r: Result) -> None:
    per_hour = 3600.0 / r.rest_seconds
    resyncs_per_hour = 3600.0 / RESYNC_SECONDS
    print("AWS calls at rest, per endpoint-hour:")
    for op, count in sorted(r.sweep_ops.items()):
        print(f"  sweep   {op:28s} {count * per_hour / r.n:7.2f}")
    for op, count in sorted(r.resync_ops.items()):
        print(f"  resync  {op:28s} {count / r.n * resyncs_per_hour:7.2f}")
    total = sum(r.sweep_ops.values()) * per_hour / r.n + sum(r.resync_ops.values()) / r.n * resyncs_per_hour
    print(f"  total                                {total:7.2f}  (every periodic check included: the endpoint "
          f"and scaling sweeps in the window, the {RESYNC_SECONDS / 3600:g} h resync)")
    print(f"kube-apiserver requests at rest: {r.rest_kube * per_hour / r.n:.2f} per object-hour")
    start, end = r.rss_samples[0], r.rss_samples[-1]
    print(f"at rest: CPU {r.rest_cpu / r.rest_seconds * 100:.1f} % of a core; RSS at the start of the rest "
          f"{start:.1f} MiB, at its end {end:.1f} MiB, max {max(r.rss_samples):.1f} MiB "
          f"(growth {end - start:+.1f} MiB, {(end - start) / start * 100:+.1f} % over {r.rest_seconds:.0f} s)")


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
