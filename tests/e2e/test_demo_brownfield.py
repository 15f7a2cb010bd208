"""The migration journey as a user runs it: `demo --brownfield` seeds an account,
assesses it, applies the manifests, adopts, drains and retires the old endpoints."""

from __future__ import annotations

import subprocess
import sys


def test_the_brownfield_demo_goes_from_eleven_endpoints_to_three(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "demo", "--brownfield", "--exit", "--timeout", "180"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "11 endpoints -> 3 logical endpoints" in result.stdout
    assert "recommendations: adopted recs-ranker in place" in output
    assert "text-classification: adopted text-intent in place" in output
    assert "retired: recs-retrieval, recs-reranker" in output
    assert "retired: text-sentiment, text-topic, text-language, text-toxicity, text-pii, text-spam" in output
    assert "11 endpoints -> 3: default-docparse-contracts, recs-ranker, text-intent" in output
