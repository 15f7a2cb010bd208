"""The README's first command, as a user runs it: everything Ready, a canary walked on
real traffic, instances added on a step in load, a failing canary rolled back."""

from __future__ import annotations

import subprocess
import sys


def test_the_demo_brings_every_example_to_ready_walks_a_canary_scales_and_rolls_a_bad_one_back(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "demo", "--exit", "--timeout", "180"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "all Ready in" in output
    for name in ("fraud-scoring", "recommendations", "support-triage", "document-extraction", "ranking"):
        assert name in result.stdout
    lines = output.splitlines()
    ranking = [line for line in lines if "default/ranking:" in line]
    faulty = next(i for i, line in enumerate(ranking) if "model-faulty" in line)
    walked, rolled_back = ranking[:faulty], ranking[faulty:]
    assert any("canary 15%" in line for line in walked), walked
    assert any("canary 50%" in line for line in walked), walked
    assert walked[-1].rstrip().endswith("canary 100%") and "Succeeded" in walked[-1], walked
    # Load steps up: Application Auto Scaling adds instances to fraud-scoring.
    counts = [int(line.split(" instances ")[1].split()[0]) for line in lines
              if "fraud-scoring: +" in line and " instances " in line]
    assert counts and max(counts) > 2, lines
    # The canary failing one request in five never gets past its first step.
    assert "RolledBack" in rolled_back[-2] and "canary 50%" not in " ".join(rolled_back), rolled_back
    assert "gate failed at step 1 of 3" in rolled_back[-1] and "Invocation5XXErrors" in rolled_back[-1], rolled_back
