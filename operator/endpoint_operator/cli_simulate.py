"""`endpoint-operator simulate-scaling`: replay a request-rate trace through the
autoscaling policy of a manifest, with 60-second and with 10-second metrics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from .api.spec import InvalidSpec, validate_spec
from .plan.simulator import Policy, compare, parse_trace, report

DEFAULT_INSTANCE_START = 300  # seconds from a scale-out decision to a serving instance


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trace", required=True, type=Path, help="CSV of seconds,requests_per_second rows")
    parser.add_argument("--manifest", required=True, type=Path, help="a ModelEndpoint manifest: its instances and autoscaling")
    parser.add_argument("--capacity", required=True, type=float, help="requests/s one instance serves")
    parser.add_argument("--instance-start-seconds", type=int, default=DEFAULT_INSTANCE_START,
                        help=f"seconds until a new instance serves (default {DEFAULT_INSTANCE_START})")
    parser.add_argument("--every", type=int, default=60, help="seconds between rows of the timeline (default 60)")
    parser.add_argument("--chart", type=Path, help="also write a PNG chart of load, instances and p99 over time "
                                                  "(needs the charts extra: matplotlib)")


def run_simulate(args: argparse.Namespace) -> int:
    try:
        trace = parse_trace(args.trace.read_text())
        docs = [d for d in yaml.safe_load_all(args.manifest.read_text()) if d and d.get("kind") == "ModelEndpoint"]
        if not docs:
            raise ValueError(f"{args.manifest} holds no ModelEndpoint")
        spec = validate_spec(docs[0].get("spec") or {})
        if args.capacity <= 0 or args.instance_start_seconds < 0 or args.every <= 0:
            raise ValueError("--capacity and --every must be > 0, --instance-start-seconds >= 0")
    except (OSError, ValueError, InvalidSpec, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    comparison = compare(trace, Policy.from_spec(spec), args.capacity, args.instance_start_seconds)
    target_ms = spec.traffic.p99_latency_target_ms if spec.traffic else None
    print(report(comparison, every=args.every, p99_target_ms=target_ms))
    if args.chart:
        from .cli_chart import ChartUnavailable, write_chart
        try:
            write_chart(comparison, args.chart, p99_target_ms=target_ms)
        except ChartUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"chart written to {args.chart}")
    return 0
