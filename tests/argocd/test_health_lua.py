"""The Argo CD health check, run by Argo CD's own code: `go test` in this directory
builds a test against the argo-cd module that reads docs/argocd/health.lua from an
argocd-cm and judges the recorded objects in testdata/ (see health_test.go).

The first build compiles a large part of argo-cd's dependency graph (a few minutes;
scripts/bootstrap does it ahead, later runs reuse the go build cache)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
SCRIPT = HERE.parents[1] / "docs" / "argocd" / "health.lua"


def go_test(script: Path = SCRIPT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEALTH_LUA": str(script)}
    return subprocess.run([str(HERE / "run-go"), "test", "-count=1", "-v", "./..."], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=1800)


def test_health_of_every_recorded_object():
    result = go_test()
    assert result.returncode == 0, result.stdout + result.stderr
    for fixture in sorted((HERE / "testdata").glob("*.json")):
        assert f"--- PASS: TestRecordedObjects/{fixture.stem} " in result.stdout, fixture.stem


def test_a_script_that_never_suspends_is_caught(tmp_path):
    broken = tmp_path / "health.lua"
    broken.write_text(SCRIPT.read_text().replace('hs.status = "Suspended"', 'hs.status = "Progressing"'))
    result = go_test(broken)
    assert result.returncode != 0
    assert "--- FAIL: TestRecordedObjects/rollout-awaiting-promotion" in result.stdout
