"""The migration journey on the sandbox: a brownfield account, assessed, adopted,
consolidated and drained (`endpoint-operator demo --brownfield`).

1. seed the emulator with eleven one-model GPU endpoints and 14 days of CloudWatch;
2. `assess` them: the report, and one manifest per logical endpoint;
3. apply the manifests: the busiest endpoint of each group is adopted in place and
   converged to a multi-model endpoint, document parsing gets an asynchronous one;
4. the callers of the replaced endpoints call them once more, then move away;
5. each replaced endpoint is retired once it has had no invocations for --idle-for.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from ..api.duration import duration_seconds
from .brownfield import HINTS, USE_CASE_TAG, seed_brownfield
from .controlplane import ControlPlane, repo_root
from .demo import CRD_FILE, say
from .emulator import AwsClients, Emulator
from .operator_process import OperatorProcess
from .seed import artifact_urls, seed_artifacts


def run_brownfield_demo(keep: bool, timeout: float, idle_for: str = "1m") -> int:
    started = time.monotonic()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="endpoint-operator-brownfield-") as tmp, \
            ControlPlane() as control_plane, Emulator() as emulator:
        work = Path(tmp)
        aws = AwsClients(emulator.url)
        say(f"control plane {control_plane.server}, SageMaker emulator {emulator.url}")
        control_plane.kubectl("apply", "--server-side", "-f", str(repo_root() / CRD_FILE))
        control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                              "crd/modelendpoints.serving.endpoint-operator.io")
        names = seed_brownfield(aws)
        _wait_in_service(aws, names, timeout)
        say(f"seeded {len(names)} one-model real-time endpoints on ml.g4dn.xlarge with 14 days of CloudWatch")

        hints = work / "hints.yaml"
        hints.write_text(yaml.safe_dump(HINTS))
        manifests = work / "manifests"
        report = work / "assessment.md"
        code, table = _assess(emulator.url, hints, manifests, report, idle_for)
        print(table, flush=True)
        if code != 0:
            return code
        docs = [yaml.safe_load(p.read_text()) for p in sorted(manifests.glob("*.yaml"))]
        seed_artifacts(emulator.url, artifact_urls(docs))
        replaced = sorted({n for d in docs for n in (d["spec"].get("replaces") or {}).get("endpoints", [])})
        say(f"assess wrote {len(docs)} manifests ({', '.join(p.name for p in sorted(manifests.glob('*.yaml')))}) "
            f"and {report.name}")

        log_path = work / "operator.log"
        with OperatorProcess(control_plane.kubeconfig, emulator.url, log_path,
                             extra_args=["--fast-poll-seconds", "1", "--sweep-seconds", "5"]) as operator:
            # Their last calls were a little while ago, so the demo's idle window ends soon.
            ago = max(0.0, duration_seconds(idle_for) - 20)
            _still_called(aws, replaced, ago)
            say(f"the callers of {len(replaced)} replaced endpoints called them {ago:.0f}s ago; applying the manifests")
            control_plane.kubectl("apply", "-f", str(manifests))
            waited = control_plane.kubectl("wait", "--for=condition=Ready", "mep", "--all",
                                           f"--timeout={int(timeout)}s", check=False)
            print(control_plane.kubectl("get", "mep").stdout, flush=True)
            if waited.returncode != 0:
                say("not every ModelEndpoint became Ready:\n" + waited.stderr + "\n--- operator log ---\n" + operator.log())
                return 1
            for doc in docs:
                adoption = _status(control_plane, doc).get("adoption")
                if adoption:
                    say(f"{doc['metadata']['name']}: adopted {adoption['endpoint']} in place "
                        f"(it served {adoption.get('previousConfig')}); no endpoint was created for it")
            say(f"the callers move to the new endpoints; each replaced one goes after {idle_for} without invocations")
            if not _drained(control_plane, docs, timeout, idle_for):
                say("the replaced endpoints were not all retired:\n" + operator.log())
                return 1
            print(control_plane.kubectl("get", "mep").stdout, flush=True)
            left = sorted(e["EndpointName"] for e in aws.sagemaker.list_endpoints(MaxResults=100)["Endpoints"])
            say(f"{len(names)} endpoints -> {len(left)}: {', '.join(left)}; "
                f"journey done in {time.monotonic() - started:.0f}s")
            if keep:
                say("the sandbox stays up; in another shell:")
                print(f"export KUBECONFIG={control_plane.kubeconfig}")
                print(f"export ENDPOINT_OPERATOR_AWS_ENDPOINT_URL={emulator.url}")
                print(f"# report: {report}\n# operator log: {log_path}\n# Ctrl-C stops everything", flush=True)
                stop.wait()
    return 0


def _assess(url: str, hints: Path, manifests: Path, report: Path, idle_for: str) -> tuple[int, str]:
    from ..assess_command import add_assess_arguments, run_assess

    parser = argparse.ArgumentParser(prog="endpoint-operator assess")
    add_assess_arguments(parser)

    # The emulator takes any credentials; the operator process gets the same ones.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_assess(parser.parse_args([
            "--aws-endpoint-url", url, "--hints", str(hints), "--group-by-tag", USE_CASE_TAG,
            "--idle-for", idle_for, "--manifests", str(manifests), "--report", str(report)]))
    return code, out.getvalue()


def _wait_in_service(aws: AwsClients, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = aws.sagemaker.list_endpoints(MaxResults=100)["Endpoints"]
        if sum(1 for r in rows if r["EndpointName"] in names and r["EndpointStatus"] == "InService") == len(names):
            return
        time.sleep(0.5)
    raise TimeoutError("the seeded endpoints did not become InService")


def _still_called(aws: AwsClients, endpoints: list[str], ago: float) -> None:
    """A minute of invocations on each replaced endpoint, `ago` seconds back, as SageMaker
    would publish them."""
    now = datetime.now(timezone.utc) - timedelta(seconds=ago)
    aws.client("cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[{
        "MetricName": "Invocations", "Value": 3.0, "Unit": "None", "Timestamp": now,
        "Dimensions": [{"Name": "EndpointName", "Value": name}, {"Name": "VariantName", "Value": "AllTraffic"}],
    } for name in endpoints])


def _status(control_plane, doc: dict) -> dict:
    got = control_plane.kubectl("get", "mep", doc["metadata"]["name"], "-n", doc["metadata"]["namespace"],
                                "-o", "json", check=False)
    return json.loads(got.stdout).get("status", {}) if got.returncode == 0 else {}


def _drained(control_plane, docs: list[dict], timeout: float, idle_for: str) -> bool:
    seen: dict[str, int | None] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = True
        for doc in docs:
            replacement = _status(control_plane, doc).get("replacement") or {}
            remaining = replacement.get("remaining")
            name = doc["metadata"]["name"]
            if remaining != seen.get(name):
                seen[name] = remaining
                draining = ", ".join(d["name"] for d in replacement.get("draining") or []) or "none"
                say(f"{name}: {remaining} replaced endpoints draining ({draining}); "
                    f"retired: {', '.join(replacement.get('retired') or []) or 'none'}")
            done = done and remaining == 0
        if done:
            return True
        time.sleep(1.0)
    return False
