"""The README's first command, as a user runs it: everything Ready, a canary walked."""

from __future__ import annotations

import subprocess
import sys


def test_the_demo_brings_every_example_to_ready_and_walks_a_canary(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "demo", "--exit", "--timeout", "180"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "all Ready in" in output
    for name in ("fraud-scoring", "recommendations", "support-triage", "document-extraction", "ranking"):
        assert name in result.stdout
    walked = [line for line in output.splitlines() if "default/ranking:" in line]
    assert any("canary 15%" in line for line in walked), walked
    assert any("canary 50%" in line for line in walked), walked
    assert walked[-1].rstrip().endswith("canary 100%") and "Succeeded" in walked[-1], walked
