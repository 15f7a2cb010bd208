"""The README's first command: the whole product on the embedded default, no cloud.

Starts the local control plane and the SageMaker emulator, installs the CRD, starts
the operator, applies the examples, waits for Ready and prints `kubectl get mep`; then
drives load (demo_traffic.py): a canary walked on real datapoints, instances added on a
step in load, and a canary that fails its requests rolled back by its gate.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from .controlplane import ControlPlane, repo_root
from .demo_rollout import change_model, follow_rollout
from .demo_traffic import DEMO_TIME_SCALE, bad_canary, endpoint_of, scale_on_a_step, steady_load
from .emulator import Emulator
from .operator_process import OperatorProcess
from .seed import alarm_names, artifact_urls, seed_alarms, seed_artifacts

CRD_FILE = "crds/modelendpoints.serving.endpoint-operator.io.yaml"


def run_demo(examples: str | None, keep: bool, timeout: float) -> int:
    root = repo_root()
    examples_dir = Path(examples) if examples else root / "examples"
    manifests = sorted(p for p in examples_dir.glob("*.yaml"))
    started = time.monotonic()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="endpoint-operator-demo-") as tmp, \
            ControlPlane() as control_plane, Emulator() as emulator:
        say(f"control plane {control_plane.server}, SageMaker emulator {emulator.url}")
        control_plane.kubectl("apply", "--server-side", "-f", str(root / CRD_FILE))
        control_plane.wait_for_crd("modelendpoints.serving.endpoint-operator.io")
        docs = [d for p in manifests for d in yaml.safe_load_all(p.read_text()) if d]
        say(f"seeded {seed_artifacts(emulator.url, artifact_urls(docs))} model artifacts and "
            f"{seed_alarms(emulator.url, alarm_names(docs))} alarms in the emulator")
        log_path = Path(tmp) / "operator.log"
        with OperatorProcess(control_plane.kubeconfig, emulator.url, log_path,
                             extra_args=["--fast-poll-seconds", "1", "--sweep-seconds", "5",
                                         "--follow-emulator-clock"]) as operator:
            say("operator running; applying " + ", ".join(p.name for p in manifests))
            for path in manifests:
                control_plane.kubectl("apply", "-f", str(path))
            waited = control_plane.kubectl("wait", "--for=condition=Ready", "mep", "--all", "-A",
                                           f"--timeout={int(timeout)}s", check=False)
            print(control_plane.kubectl("get", "mep", "-A").stdout, flush=True)
            if waited.returncode != 0:
                say("not every ModelEndpoint became Ready:\n" + waited.stderr + "\n--- operator log ---\n" + operator.log())
                return 1
            say(f"all Ready in {time.monotonic() - started:.1f}s from a cold start")
            say(f"traffic from now on; the sandbox's clock runs {DEMO_TIME_SCALE}x and the operator follows it")
            emulator.client.set_time_scale(DEMO_TIME_SCALE)
            canaries = [d for d in docs if (d.get("spec") or {}).get("rollout") and d["spec"].get("mode") == "RealTime"]
            scaled = [d for d in docs if d["spec"].get("mode") == "RealTime" and not d["spec"].get("rollout")
                      and d["spec"].get("autoscaling") is not None]
            for doc in canaries:
                steady_load(emulator, endpoint_of(control_plane, doc), 5)
                if not walk_canary(control_plane, emulator, doc, timeout):
                    say("the canary did not finish:\n" + operator.log())
                    return 1
            for doc in scaled:
                if not scale_on_a_step(control_plane, emulator, doc, timeout=timeout):
                    say("no instance was added:\n" + operator.log())
                    return 1
            for doc in canaries:
                if not bad_canary(control_plane, emulator, doc, timeout):
                    say("the faulty canary was not rolled back:\n" + operator.log())
                    return 1
            print(control_plane.kubectl("get", "mep", "-A").stdout, flush=True)
            emulator.client.set_time_scale(1)
            if keep:
                say("the sandbox stays up; in another shell:")
                print(f"export KUBECONFIG={control_plane.kubeconfig}")
                print(f"export ENDPOINT_OPERATOR_AWS_ENDPOINT_URL={emulator.url}")
                print(f"# operator log: {log_path}\n# Ctrl-C stops everything", flush=True)
                stop.wait()
    return 0


def walk_canary(control_plane, emulator, doc: dict, timeout: float) -> bool:
    """Change the model of a manifest with a rollout and follow the canary's steps."""
    change_model(control_plane, emulator.url, doc, "model-next.tar.gz", "; the canary walks its steps")
    status = follow_rollout(control_plane, doc, timeout)
    return status is not None and status["rollout"]["phase"] == "Succeeded"


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
