"""The demo's model change: a manifest's model gets a new artifact, and its rollout is
followed in status until it ends, one line per step."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from .seed import seed_artifacts



def change_model(control_plane, emulator_url: str, doc: dict[str, Any], artifact: str, note: str) -> None:
    """The first model's artifact becomes `artifact` (seeded in the emulator's S3)."""
    name, namespace = doc["metadata"]["name"], doc["metadata"].get("namespace", "default")
    model = doc["spec"]["models"][0]
    new_url = model["modelDataUrl"].replace("model.tar.gz", artifact)
    seed_artifacts(emulator_url, [new_url])
    patch = {"spec": {"models": [{**model, "modelDataUrl": new_url}]}}
    control_plane.kubectl("patch", "mep", name, "-n", namespace, "--type=merge", "-p", json.dumps(patch))
    say(f"{namespace}/{name}: model changed to {new_url}{note}")


def follow_rollout(control_plane, doc: dict[str, Any], timeout: float,
                   ends: tuple[str, ...] = ("Succeeded", "RolledBack")) -> dict[str, Any] | None:
    """The object's status once its rollout reaches one of `ends`, saying each phase and
    weight on the way; None when it has not within `timeout`. Status still shows the
    previous rollout's end until the operator takes the change up: a caller that expects
    one outcome names only that one."""
    name, namespace = doc["metadata"]["name"], doc["metadata"].get("namespace", "default")
    seen = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = control_plane.kubectl("get", "mep", name, "-n", namespace, "-o", "json", check=False)
        status = json.loads(got.stdout).get("status", {}) if got.returncode == 0 else {}
        rollout = status.get("rollout") or {}
        now = (rollout.get("phase"), rollout.get("weight"))
        if rollout and now != seen:
            seen = now
            step = rollout.get("step")
            where = f"step {step + 1}/{rollout.get('steps')}" if step is not None and rollout.get("steps") else ""
            say(f"{namespace}/{name}: {rollout.get('phase')} {where} canary {rollout.get('weight')}%".replace("  ", " "))
        if rollout.get("phase") in ends:
            return status
        time.sleep(0.1)  # a demo polling kubectl, not a test waiting
    return None


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
