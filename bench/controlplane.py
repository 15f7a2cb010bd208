"""Benchmark the local control plane: cold build, warm start to /readyz, stop.

    python bench/controlplane.py            # build time from the cache stamp
    python bench/controlplane.py --cold     # time a build into a fresh cache dir
    python bench/controlplane.py --runs 5

Warm start is measured from `ControlPlane.start()` (certificates, etcd and
kube-apiserver launched) to the first `/readyz` that answers ok.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from endpoint_operator.sandbox.controlplane import ControlPlane, ensure_binaries, repo_root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true",
                        help="build into a fresh ENDPOINT_OPERATOR_CACHE instead of reading the stamp")
    parser.add_argument("--fresh-go-cache", action="store_true",
                        help="with --cold, also use an empty Go build cache (modules stay cached)")
    parser.add_argument("--runs", type=int, default=3, help="warm starts to take the median of")
    args = parser.parse_args()

    if args.cold:
        bin_dir, seconds = cold_build(args.fresh_go_cache)
        print(f"cold build: {seconds:.0f}s (fresh cache, timed now)")
    else:
        bin_dir = ensure_binaries()
        print(f"cold build: {stamp_seconds(bin_dir)} (from {bin_dir.parent / 'stamp'})")

    starts, stops = [], []
    for _ in range(args.runs):
        plane = ControlPlane(bin_dir).start()
        starts.append(plane.startup_seconds)
        began = time.monotonic()
        plane.stop()
        stops.append(time.monotonic() - began)
    print(f"warm start to /readyz: median {statistics.median(starts):.2f}s {rounded(starts)}")
    print(f"stop: median {statistics.median(stops):.2f}s {rounded(stops)}")
    return 0


def cold_build(fresh_go_cache: bool) -> tuple[Path, float]:
    with tempfile.TemporaryDirectory(prefix="endpoint-operator-bench-") as scratch:
        env = dict(os.environ, ENDPOINT_OPERATOR_CACHE=str(Path(scratch) / "cache"))
        if fresh_go_cache:
            env["GOCACHE"] = str(Path(scratch) / "go-build")
        began = time.monotonic()
        result = subprocess.run(
            ["bash", str(repo_root() / "controlplane" / "build.sh")],
            env=env, capture_output=True, text=True,
        )
        seconds = time.monotonic() - began
        if result.returncode != 0:
            sys.exit(f"build failed:\n{result.stderr[-4000:]}")
    # The fresh cache is gone with the scratch dir; start from the regular one.
    return ensure_binaries(), seconds


def stamp_seconds(bin_dir: Path) -> str:
    stamp = (bin_dir.parent / "stamp").read_text()
    match = re.search(r"in (\d+)s", stamp)
    return f"{match.group(1)}s" if match else f"unknown ({stamp.strip()!r})"


def rounded(values: list[float]) -> str:
    return "(" + ", ".join(f"{value:.2f}" for value in values) + ")"


if __name__ == "__main__":
    raise SystemExit(main())
