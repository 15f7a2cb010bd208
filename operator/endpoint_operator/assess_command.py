"""`endpoint-operator assess`: read a running account, show the waste, write manifests.

Read-only (docs/iam-policy-assess.json lists every permission it needs). It reads
every endpoint of the regions given with its config, models, autoscaling and a
window of CloudWatch (aws/inventory), judges each endpoint and the consolidation
(plan/assessment, plan/consolidation), prints a table or JSON, and writes a Markdown
report and one ModelEndpoint manifest per proposed logical endpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from .api.duration import duration_seconds
from .api.pricing import PriceFileError, load_prices
from .aws.assume import AssumedRoleClients, RoleCredentials
from .aws.errors import GatewayError
from .aws.inventory import read_inventory
from .aws.limiter import LimiterRegistry
from .aws.session import ClientFactory
from .plan.assessment import EndpointAssessment, Hints, assess_endpoints
from .plan.consolidation import Consolidation, consolidate

ASSESS_SESSION = "endpoint-operator-assess"  # the session name CloudTrail shows for its reads
HINT_FIELDS = {"maxPayloadMB": "max_payload_mb", "maxProcessingSeconds": "max_processing_seconds",
               "p99LatencyTargetMs": "p99_latency_target_ms"}


def add_assess_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", action="append", default=[],
                        help="region to read (repeatable); default $AWS_DEFAULT_REGION or us-east-1")
    parser.add_argument("--aws-endpoint-url", default=os.environ.get("ENDPOINT_OPERATOR_AWS_ENDPOINT_URL"))
    parser.add_argument("--role-arn", default=None,
                        help="read the account of this role, assumed through STS, instead of the credential "
                             "chain's; the manifests written name it as spec.roleArn (the operator's account "
                             "bindings must allow it for --namespace: docs/operations.md)")
    parser.add_argument("--window", default="14d", help="CloudWatch history to read, for example 14d (default)")
    parser.add_argument("--hints", default=None,
                        help="YAML: endpoint name -> maxPayloadMB / maxProcessingSeconds / p99LatencyTargetMs, "
                             "what CloudWatch does not record")
    parser.add_argument("--group-by-tag", default=None,
                        help="keep endpoints whose values of this tag differ on separate logical endpoints")
    parser.add_argument("--namespace", default="default", help="namespace of the manifests written")
    parser.add_argument("--idle-for", default="24h", help="how long a replaced endpoint must be idle before it goes")
    parser.add_argument("--manifests", default=None, help="directory to write one ModelEndpoint manifest per file")
    parser.add_argument("--report", default=None, help="file to write the Markdown report to")
    parser.add_argument("--prices", default=None, help="price file over the shipped table")
    parser.add_argument("--output", choices=["table", "json", "markdown"], default="table")


def run_assess(args: argparse.Namespace) -> int:
    try:
        prices = load_prices(args.prices)
    except PriceFileError as error:
        print(f"error: --prices {error}", file=sys.stderr)
        return 2
    try:
        hints = read_hints(args.hints)
        window = timedelta(seconds=duration_seconds(args.window))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    regions = args.region or [os.environ.get("AWS_DEFAULT_REGION", "us-east-1")]
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    clients = ClientFactory(endpoint_url=args.aws_endpoint_url)
    if args.role_arn:
        clients = AssumedRoleClients(clients, RoleCredentials(clients), args.role_arn, ASSESS_SESSION)
    try:
        inventory = read_inventory(clients, LimiterRegistry(), regions, end - window, end)
    except GatewayError as error:
        print(f"error: reading the account failed: {error}", file=sys.stderr)
        return 1
    assessments = assess_endpoints(inventory, prices, hints)
    result = consolidate(assessments, prices, namespace=args.namespace, group_tag=args.group_by_tag,
                         idle_for=args.idle_for)
    if args.role_arn:
        # The proposed endpoints live where the assessed ones do: in the role's account.
        for proposed in result.endpoints:
            if proposed.manifest is not None:
                proposed.manifest["spec"]["roleArn"] = args.role_arn
    if args.manifests:
        for path in write_manifests(result, Path(args.manifests)):
            print(f"wrote {path}", file=sys.stderr)
    report = markdown(assessments, result, inventory.start, inventory.end, regions)
    if args.report:
        Path(args.report).write_text(report)
        print(f"wrote {args.report}", file=sys.stderr)
    if args.output == "json":
        print(json.dumps(as_json(assessments, result, (inventory.start, inventory.end)), indent=2))
    elif args.output == "markdown":
        print(report, end="")
    else:
        print(table(assessments, result))
    return 0


def read_hints(path: str | None) -> dict[str, Hints]:
    if not path:
        return {}
    data = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"--hints {path}: expected a mapping of endpoint names")
    hints = {}
    for name, fields in data.items():
        unknown = set(fields or {}) - set(HINT_FIELDS)
        if unknown:
            raise ValueError(f"--hints {path}: {name}: unknown field {sorted(unknown)[0]} "
                             f"(known: {', '.join(HINT_FIELDS)})")
        hints[str(name)] = Hints(**{HINT_FIELDS[k]: v for k, v in (fields or {}).items()})
    return hints


def write_manifests(result: Consolidation, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for e in result.endpoints:
        if e.manifest is None:
            continue
        path = directory / f"{e.name}.yaml"
        path.write_text(yaml.safe_dump(e.manifest, sort_keys=False))
        written.append(path)
    return written


# ---- output -----------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


def endpoint_rows(assessments: list[EndpointAssessment]) -> list[tuple[str, ...]]:
    rows = [("ENDPOINT", "INSTANCES", "$/MONTH", "CALLS/DAY", "BUSY HOURS", "GPU OFF-PEAK", "GPU PEAK",
             "P99 MS", "AUTOSCALING", "AUTO MODE", "WHY")]
    for a in assessments:
        rows.append((a.name, f"{a.instances} x {a.instance_type or 'serverless'}", _usd(a.monthly_usd),
                     f"{a.invocations_per_day:,.0f}", f"{a.active_share:.0%}", _pct(a.gpu_off_peak), _pct(a.gpu_peak),
                     "-" if a.p99_latency_ms is None else f"{a.p99_latency_ms:,.0f}",
                     "yes" if a.autoscaled else "no", a.auto_mode or "-", a.auto_reason))
    return rows


def group_rows(result: Consolidation) -> list[tuple[str, ...]]:
    rows = [("LOGICAL ENDPOINT", "MODE", "INSTANCES", "$/MONTH BEFORE", "$/MONTH AFTER", "ADOPTS", "REPLACES", "WHY")]
    for e in result.endpoints:
        sizing = f"{e.min_instances}-{e.max_instances} x {e.instance_type}" if e.instance_type else "-"
        rows.append((e.name, e.mode, sizing, _usd(e.monthly_before_usd), _usd(e.monthly_after_usd),
                     e.adopts or "-", ", ".join(e.replaces) or "-", e.reason))
    return rows


def _columns(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:-1])) + "  " + r[-1] for r in rows)


def summary(result: Consolidation, count: int) -> str:
    planned = sum(1 for e in result.endpoints)
    return (f"{count} endpoints -> {planned} logical endpoints: {_usd(result.monthly_before_usd)} -> "
            f"{_usd(result.monthly_after_usd)} a month, saving {_usd(result.saving_usd)} ({result.saving_share:.0%})")


def table(assessments: list[EndpointAssessment], result: Consolidation) -> str:
    return "\n\n".join([_columns(endpoint_rows(assessments)), _columns(group_rows(result)),
                        summary(result, len(assessments))])


def _md_table(rows: list[tuple[str, ...]]) -> str:
    escape = [tuple(c.replace("|", "\\|") for c in r) for r in rows]
    lines = ["| " + " | ".join(escape[0]) + " |", "|" + "---|" * len(escape[0])]
    lines += ["| " + " | ".join(r) + " |" for r in escape[1:]]
    return "\n".join(lines)


def markdown(assessments: list[EndpointAssessment], result: Consolidation, start: datetime, end: datetime,
             regions: list[str]) -> str:
    parts = [
        "# SageMaker endpoint assessment",
        f"Regions {', '.join(regions)}; CloudWatch from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC.",
        "## Summary", summary(result, len(assessments)),
        "## Endpoints today", _md_table(endpoint_rows(assessments)),
        "## Proposed logical endpoints", _md_table(group_rows(result)),
        "## Assumptions",
        "\n".join(f"- {e.name}: {a}" for e in result.endpoints for a in e.assumptions)
        or "- none",
        "Prices: the operator's price table (on-demand list prices); payload sizes come from --hints, "
        "since CloudWatch does not record them. docs/migration.md describes applying the manifests.",
    ]
    if result.unpriced:
        parts.append(f"Not priced (left out of the totals): {', '.join(result.unpriced)}.")
    return "\n\n".join(parts) + "\n"


def as_json(assessments: list[EndpointAssessment], result: Consolidation,
            window: tuple[datetime, datetime]) -> dict[str, Any]:
    result_window = (window[0].isoformat(), window[1].isoformat())
    return {
        "endpoints": [{
            "name": a.name, "region": a.endpoint.region, "status": a.endpoint.status,
            "instanceType": a.instance_type, "instances": a.instances, "monthlyUSD": a.monthly_usd,
            "invocationsPerDay": round(a.invocations_per_day, 1), "activeHoursShare": round(a.active_share, 4),
            "p99LatencyMs": a.p99_latency_ms, "gpuOffPeak": a.gpu_off_peak, "gpuPeak": a.gpu_peak,
            "cpuPeak": a.cpu_peak, "memoryPeak": a.memory_peak, "autoscaling": a.autoscaled,
            "autoMode": a.auto_mode, "autoReason": a.auto_reason,
            "image": a.image, "modelDataUrl": a.variant.model.model_data_url if a.variant and a.variant.model else None,
            "variants": [{"name": v.name, "instanceType": v.instance_type, "instances": v.instance_count,
                          "autoscaling": None if v.scaling is None else {
                              "min": v.scaling.min_capacity, "max": v.scaling.max_capacity,
                              "policies": list(v.scaling.policies)},
                          "invocationsByHour": list(v.metrics.invocations)} for v in a.endpoint.variants],
        } for a in assessments],
        "window": {"start": result_window[0], "end": result_window[1]},
        "logicalEndpoints": [{
            "name": e.name, "mode": e.mode, "reason": e.reason, "members": list(e.members),
            "instanceType": e.instance_type, "minInstances": e.min_instances, "maxInstances": e.max_instances,
            "monthlyBeforeUSD": round(e.monthly_before_usd, 2), "monthlyAfterUSD": e.monthly_after_usd,
            "adopts": e.adopts, "replaces": list(e.replaces), "manifest": e.manifest,
        } for e in result.endpoints],
        "monthlyBeforeUSD": result.monthly_before_usd,
        "monthlyAfterUSD": result.monthly_after_usd,
        "savingUSD": result.saving_usd,
        "savingShare": round(result.saving_share, 4),
    }
