"""The README's first command: the whole product on the embedded default, no cloud.

Starts the local control plane and the SageMaker emulator, installs the CRD, starts
the operator, applies the examples, waits for Ready and prints `kubectl get mep`.
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
from .emulator import Emulator
from .operator_process import OperatorProcess
from .seed import artifact_urls, seed_artifacts

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
        control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s",
                              "crd/modelendpoints.serving.endpoint-operator.io")
        docs = [d for p in manifests for d in yaml.safe_load_all(p.read_text()) if d]
        say(f"seeded {seed_artifacts(emulator.url, artifact_urls(docs))} model artifacts in the emulator's S3")
        log_path = Path(tmp) / "operator.log"
        with OperatorProcess(control_plane.kubeconfig, emulator.url, log_path,
                             extra_args=["--fast-poll-seconds", "1", "--sweep-seconds", "5"]) as operator:
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
            if keep:
                say("the sandbox stays up; in another shell:")
                print(f"export KUBECONFIG={control_plane.kubeconfig}")
                print(f"export ENDPOINT_OPERATOR_AWS_ENDPOINT_URL={emulator.url}")
                print(f"# operator log: {log_path}\n# Ctrl-C stops everything", flush=True)
                stop.wait()
    return 0


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
