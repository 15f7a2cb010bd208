"""`endpoint-operator plan`: what manifests would build and what it would cost.

Offline: reads files, never a cluster or AWS. Each ModelEndpoint is parsed with the
API server's rules (api.spec.validate_spec), its mode resolved and its blueprint
built as the operator would (with a placeholder owner uid: names do not depend on
it), and priced by plan.cost. Bad documents are reported with file and field and
make the exit code non-zero; the good ones are still planned.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic.alias_generators import to_camel

from .api import constants
from .api.metadata import metadata_errors
from .api.pricing import PriceFileError, PriceTable, load_prices
from .api.scaling import component_resource_id
from .api.hosting import server_hint
from .api.spec import InvalidSpec, ModelEndpointSpec, validate_spec
from .plan.blueprint import Blueprint, build_blueprint
from .plan.cost import CostEstimate, one_per_model
from .plan.estimate import estimate
from .plan.errors import PlanError
from .plan.identity import Owner
from .plan.strategy import update_strategies
from .plan.suspension import suspension_plan
from .plan.s3url import s3_url

PLACEHOLDER_UID = "00000000-0000-0000-0000-000000000000"
# What a model ran on before, for the naive baseline of specs without instances (Serverless).
BASELINE_TYPE_ANNOTATION = f"{constants.PREFIX}/baseline-instance-type"
ONE_PER_MODEL = "one-per-model"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--filename", action="append", required=True, metavar="PATH",
                        help="a manifest file or a directory of them (repeatable)")
    parser.add_argument("--baseline", choices=[ONE_PER_MODEL], default=None,
                        help="also price each model on its own always-on real-time endpoint, and the saving")
    parser.add_argument("--baseline-instance-type", default="ml.m5.large",
                        help=f"baseline instance type of models whose spec has none (default ml.m5.large; "
                             f"annotation {BASELINE_TYPE_ANNOTATION} overrides it per manifest)")
    parser.add_argument("--output", "-o", choices=["table", "json"], default="table")
    parser.add_argument("--prices", default=None, metavar="FILE", help="price file over the shipped table")


@dataclass(frozen=True)
class Problem:
    file: str
    document: int | None  # 1-based, when the file holds several
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.document is None else f"{self.file} (document {self.document})"
        message = self.message if self.message.startswith(self.field) else f"{self.field}: {self.message}"
        return f"{where}: {message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "document": self.document, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Planned:
    file: str
    namespace: str
    name: str
    spec: ModelEndpointSpec
    blueprint: Blueprint
    cost: CostEstimate
    baseline: CostEstimate | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class PlanRun:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ---- reading ------------------------------------------------------------------------------

def manifest_files(paths: list[str]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in MANIFEST_SUFFIXES)
            if not found:
                problems.append(Problem(raw, None, "-f", f"-f: no {', '.join(MANIFEST_SUFFIXES)} files in directory {raw}"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(raw, None, "-f", f"-f: {raw} does not exist"))
    return files, problems


def read_documents(path: Path) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """(1-based index, document) of every non-empty document, up to a YAML error."""
    docs: list[tuple[int, Any]] = []
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(str(path), None, "file", f"file: cannot read: {error}")]
    try:
        for index, doc in enumerate(yaml.safe_load_all(text), start=1):
            if doc is not None:
                docs.append((index, doc))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(error, "problem", None) or str(error)
        return docs, [Problem(str(path), None, where, f"{where}: not valid YAML: {problem}")]
    return docs, []


# ---- planning -----------------------------------------------------------------------------

def plan_document(file: str, index: int | None, doc: Any, prices: PriceTable,
                  baseline: str | None, baseline_type: str) -> Planned | list[Problem]:
    def problem(field: str, message: str) -> list[Problem]:
        return [Problem(file, index, field, message)]

    if not isinstance(doc, dict):
        return problem("document", f"document: expected a {constants.KIND} mapping, got {type(doc).__name__}")
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if kind != constants.KIND:
        return problem("kind", f"kind: {kind!r} is not {constants.KIND}; plan reads {constants.KIND} manifests only")
    if api_version != constants.API_VERSION:
        return problem("apiVersion", f"apiVersion: {api_version!r} is not {constants.API_VERSION}")
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    refused = metadata_errors(meta)
    if refused:
        return [Problem(file, index, e.field, e.message) for e in refused]
    name = meta["name"]
    namespace = meta.get("namespace") or "default"
    raw_spec = doc.get("spec")
    if not isinstance(raw_spec, dict):
        return problem("spec", "spec: required, a mapping")
    try:
        spec = validate_spec(raw_spec)
    except InvalidSpec as error:
        return [Problem(file, index, e.field, str(e) + (server_hint(raw_spec) if e.field == "spec.multiModel.server" else ""))
                for e in error.errors]
    try:
        blueprint = build_blueprint(spec, Owner(namespace=namespace, name=name, uid=PLACEHOLDER_UID))
        cost = estimate(spec, blueprint.mode, prices)
        naive = None
        if baseline == ONE_PER_MODEL:
            naive_type, source = _baseline_type(spec, meta, baseline_type)
            naive = one_per_model(spec, prices, naive_type, field=source)
    except PlanError as error:
        return problem(error.field, error.message)
    return Planned(file=file, namespace=namespace, name=name, spec=spec, blueprint=blueprint, cost=cost, baseline=naive)


def _baseline_type(spec: ModelEndpointSpec, meta: dict, default: str) -> tuple[str, str]:
    annotations = meta.get("annotations") or {}
    if isinstance(annotations, dict) and annotations.get(BASELINE_TYPE_ANNOTATION):
        return str(annotations[BASELINE_TYPE_ANNOTATION]), f"metadata.annotations[{BASELINE_TYPE_ANNOTATION}]"
    if spec.instances is not None:
        return spec.instances.type, "spec.instances.type"
    return default, "--baseline-instance-type"


def plan_paths(paths: list[str], prices: PriceTable, baseline: str | None = None,
               baseline_type: str = "ml.m5.large") -> PlanRun:
    run = PlanRun()
    files, run.problems = manifest_files(paths)
    for path in files:
        docs, problems = read_documents(path)
        several = len(docs) + len(problems) > 1
        for index, doc in docs:
            result = plan_document(str(path), index if several else None, doc, prices, baseline, baseline_type)
            if isinstance(result, Planned):
                run.planned.append(result)
            else:
                run.problems += result
        run.problems += problems
    return run


# ---- describing ---------------------------------------------------------------------------

def resources(p: Planned) -> dict[str, Any]:
    """The SageMaker resources the operator would create, as plain data."""
    bp = p.blueprint
    config = bp.config
    described: dict[str, Any] = {
        "endpoint": bp.endpoint_name,
        "models": [{"name": m.name, "image": m.container.image, "container": m.container.mode,
                    "modelDataUrl": m.container.model_data_url} for m in bp.models],
        "endpointConfig": {"name": config.name, "variants": [_variant(v) for v in config.variants]},
    }
    if config.async_config is not None:
        described["endpointConfig"]["async"] = _camel(config.async_config.model_dump(exclude_none=True))
    if bp.artifact_prefix is not None:
        described["artifacts"] = {"prefix": s3_url(bp.artifact_prefix), "models": [c.target.key.rsplit("/", 1)[-1] for c in bp.artifacts]}
    described["updates"] = update_strategies(bp)
    if bp.components:
        described["inferenceComponents"] = [{
            "name": c.name, "model": c.model, "image": c.container.image, "modelDataUrl": c.container.model_data_url,
            **_camel(c.compute.model_dump(exclude_none=True)), "minCopies": c.min_copies, "maxCopies": c.max_copies,
        } for c in bp.components]
    components = {component_resource_id(c.name): c for c in bp.components}
    if bp.scaling:  # what the blueprint itself plans: the variants', or the components'
        described["scaling"] = [_scaling(s, components.get(s.target.resource_id)) for s in bp.scaling]
    return described


def _scaling(s, component) -> dict[str, Any]:
    what = ({"component": component.name, "model": s.variant, "minCopies": s.target.min_capacity,
             "maxCopies": s.target.max_capacity} if component is not None else
            {"variant": s.variant, "minInstances": s.target.min_capacity, "maxInstances": s.target.max_capacity})
    return {
        **what,
        "policies": [_policy(policy) for policy in s.policies],
        "schedules": [{"name": a.name, "schedule": a.schedule, "timezone": a.timezone,
                       "min": a.min_capacity, "max": a.max_capacity} for a in s.schedules],
        "alarms": [a.alarm.name for a in s.alarms],
    }


def _variant(v) -> dict[str, Any]:
    if v.serverless is not None:
        return {"name": v.name, "serverless": _camel(v.serverless.model_dump(exclude_none=True))}
    described = {"name": v.name, "instanceType": v.instance_type, "initialInstanceCount": v.initial_instance_count}
    if v.managed_scaling is not None:
        described["managedInstanceScaling"] = {"minInstances": v.managed_scaling.min_instances,
                                               "maxInstances": v.managed_scaling.max_instances}
    return described


def _camel(fields: dict[str, Any]) -> dict[str, Any]:
    # "MB" as the spec spells it (memorySizeMB), not "Mb".
    return {to_camel(key).replace("Mb", "MB"): value for key, value in fields.items()}


def _policy(policy) -> dict[str, Any]:
    if hasattr(policy, "target_value"):
        metric = policy.predefined_metric or (policy.customized_metric.metric_name if policy.customized_metric else None)
        return {"name": policy.name, "type": "TargetTracking", "metric": metric, "target": policy.target_value}
    return {"name": policy.name, "type": "StepScaling"}


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def cost_json(c: CostEstimate) -> dict[str, Any]:
    return {
        "hourlyUSD": round(c.hourly_usd, 4), "dailyUSD": _money(c.daily_usd), "monthlyUSD": _money(c.monthly_usd),
        "instances": round(c.instances, 3), "instanceType": c.instance_type,
        "peakInstances": c.peak_instances, "peakMonthlyUSD": _money(c.peak_monthly_usd),
        "lines": [{"what": line.what, "hourlyUSD": round(line.hourly_usd, 4)} for line in c.lines],
        "assumptions": list(c.assumptions),
    }


def summary(run: PlanRun, prices: PriceTable, baseline: str | None) -> dict[str, Any]:
    planned = run.planned
    hourly = math.fsum(p.cost.hourly_usd for p in planned)
    totals = {
        "endpoints": len(planned), "models": sum(len(p.spec.models) for p in planned),
        "hourlyUSD": round(hourly, 4), "dailyUSD": _money(hourly * 24), "monthlyUSD": _money(hourly * prices.hours_per_month),
    }
    out: dict[str, Any] = {"totals": totals}
    if baseline:
        naive = math.fsum(p.baseline.hourly_usd for p in planned if p.baseline)
        saving = naive - hourly
        out["baseline"] = {
            "layout": baseline, "endpoints": sum(len(p.spec.models) for p in planned),
            "hourlyUSD": round(naive, 4), "dailyUSD": _money(naive * 24), "monthlyUSD": _money(naive * prices.hours_per_month),
            "savingDailyUSD": _money(saving * 24), "savingMonthlyUSD": _money(saving * prices.hours_per_month),
            "savingPercent": round(100 * saving / naive, 1) if naive else 0.0,
        }
    return out


def to_json(run: PlanRun, prices: PriceTable, baseline: str | None) -> dict[str, Any]:
    endpoints = []
    for p in run.planned:
        entry = {
            "file": p.file, "namespace": p.namespace, "name": p.name, "models": [m.name for m in p.spec.models],
            "mode": p.blueprint.mode.value, "modeReason": p.blueprint.mode_reason,
            "resources": resources(p), "cost": cost_json(p.cost),
        }
        controls = cost_controls_json(p)
        if controls:
            entry["costControls"] = controls
        if p.baseline is not None:
            entry["baseline"] = cost_json(p.baseline)
        endpoints.append(entry)
    return {"prices": {"source": prices.source, "currency": prices.currency, "hoursPerMonth": prices.hours_per_month},
            "endpoints": endpoints, **summary(run, prices, baseline), "errors": [e.to_json() for e in run.problems]}


def cost_controls_json(p: Planned) -> dict[str, Any]:
    """What spec.costControls would do: a suspension's deletions and what it keeps, and
    the cost with the suspended share of the week taken out."""
    out: dict[str, Any] = {}
    controls = p.spec.cost_controls
    plan = suspension_plan(controls, p.blueprint)
    if plan is not None:
        serving = 1 - plan.share
        out["suspension"] = {
            "when": plan.when, "deletes": list(plan.deletes), "keeps": list(plan.keeps),
            "suspendedPercentOfWeek": round(plan.share * 100, 1),
            "monthlyUSD": _money(p.cost.hourly_usd * serving * p.cost.hours_per_month),
            "savingMonthlyUSD": _money(p.cost.hourly_usd * plan.share * p.cost.hours_per_month),
        }
    if controls is not None and controls.idle_after:
        out["idleAfter"] = controls.idle_after
    return out


# ---- the table ----------------------------------------------------------------------------

def usd(value: float) -> str:
    return f"${value:,.2f}"


def usd_hourly(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else usd(value)


def _layout(p: Planned) -> str:
    bp, c = p.blueprint, p.cost
    if c.instance_type is None:
        memory = bp.config.variants[0].serverless.memory_size_mb if bp.config.variants[0].serverless else None
        return f"{bp.mode.value}, {memory} MB" if memory else bp.mode.value
    zero = c.hourly_usd == 0 if bp.components else bp.scale_to_zero  # components: the fleet sleeps only with them all
    low = "0" if zero else str(max(p.spec.instances.min, 1))
    span = low if c.peak_instances <= int(low) else f"{low}-{c.peak_instances}"
    return f"{bp.mode.value}, {span} x {c.instance_type}"


def render_table(run: PlanRun, prices: PriceTable, baseline: str | None) -> str:
    lines: list[str] = []
    for p in run.planned:
        lines += _endpoint_block(p)
    totals = summary(run, prices, baseline)
    lines.append(f"Prices: {prices.source}; a month is {prices.hours_per_month:g} h.")
    lines.append("")
    lines += _layout_table(run, totals, baseline)
    return "\n".join(lines) + "\n"


def _endpoint_block(p: Planned) -> list[str]:
    res = resources(p)
    c = p.cost
    out = [f"ModelEndpoint {p.key}  ({p.file})",
           f"  mode      {p.blueprint.mode.value}: {p.blueprint.mode_reason}",
           f"  endpoint  {res['endpoint']}"]
    for model in res["models"]:
        out.append(f"  model     {model['name']}  ({model['container']}, {model['image']})")
    if "artifacts" in res:
        out.append(f"  artifacts {len(res['artifacts']['models'])} models under {res['artifacts']['prefix']}: "
                   + ", ".join(res["artifacts"]["models"]))
    variants = []
    for v in res["endpointConfig"]["variants"]:
        if "serverless" in v:
            s = v["serverless"]
            warm = f", {s['provisionedConcurrency']} provisioned" if s.get("provisionedConcurrency") else ""
            variants.append(f"{v['name']}: serverless {s['memorySizeMB']} MB, max concurrency {s['maxConcurrency']}{warm}")
        elif "managedInstanceScaling" in v:
            m = v["managedInstanceScaling"]
            variants.append(f"{v['name']}: {m['minInstances']}-{m['maxInstances']} x {v['instanceType']} "
                            "(managed instance scaling)")
        else:
            variants.append(f"{v['name']}: {v['initialInstanceCount']} x {v['instanceType']}")
    out.append(f"  config    {res['endpointConfig']['name']}  " + "; ".join(variants))
    if "async" in res["endpointConfig"]:
        a = res["endpointConfig"]["async"]
        out.append(f"  async     results to {a['outputPath']}"
                   + (f", failures to {a['failurePath']}" if a.get("failurePath") else "")
                   + (f", {a['maxConcurrentInvocationsPerInstance']} at once per instance" if a.get("maxConcurrentInvocationsPerInstance") else ""))
    for ic in res.get("inferenceComponents", []):
        held = "pinned" if ic["minCopies"] >= 1 else "sleeps at 0"
        out.append(f"  component {ic['name']}  model {ic['model']}: {ic['minCopies']}-{ic['maxCopies']} copies ({held}) of "
                   f"{ic['memoryMB']} MB" + (f", {ic['accelerators']} accelerators" if ic.get("accelerators") else ""))
    for s in res.get("scaling", []):
        policies = ", ".join(f"{x['name']} ({x['type']}" + (f" {x['metric']} = {x['target']:g}" if x["type"] == "TargetTracking" else "") + ")"
                             for x in s["policies"])
        span = (f"{s['minCopies']}-{s['maxCopies']} copies" if "component" in s
                else f"{s['minInstances']}-{s['maxInstances']} instances")
        out.append(f"  scaling   {s.get('model', s.get('variant'))}: {span}; policies {policies}")
        for a in s["schedules"]:
            out.append(f"            schedule {a['name']}: {a['schedule']} {a['timezone']} min={a['min']} max={a['max']}")
        for alarm in s["alarms"]:
            out.append(f"            alarm {alarm}")
    out.append(f"  updates   a model change: {res['updates']['modelChange']}")
    out.append(f"            any other change: {res['updates']['otherChange']}")
    ceiling = f"; ceiling {usd(c.peak_monthly_usd)}/mo at {c.peak_instances} instances" if c.peak_instances > c.instances else ""
    out.append(f"  cost      {usd_hourly(c.hourly_usd)}/h  {usd(c.daily_usd)}/day  {usd(c.monthly_usd)}/mo{ceiling}")
    for line in c.lines:
        out.append(f"            {line.what}: {usd(line.hourly_usd * 24)}/day")
    for assumption in c.assumptions:
        out.append(f"    assumes {assumption}")
    if p.baseline is not None:
        b = p.baseline
        out.append(f"  naive     {b.lines[0].what}: {usd(b.daily_usd)}/day  {usd(b.monthly_usd)}/mo")
    controls = cost_controls_json(p)
    suspension = controls.get("suspension")
    if suspension:
        out.append(f"  suspend   {suspension['when']}: {suspension['suspendedPercentOfWeek']:g} % of the week, "
                   f"{usd(suspension['monthlyUSD'])}/mo (saves {usd(suspension['savingMonthlyUSD'])}/mo)")
        out.append(f"            deletes {', '.join(suspension['deletes'])}")
        out.append(f"            keeps {', '.join(suspension['keeps'])}")
    if controls.get("idleAfter"):
        out.append(f"  idle      the Idle condition turns True after {controls['idleAfter']} without invocations")
    out.append("")
    return out


def _endpoints(count: int) -> str:
    return f"{count} endpoint" + ("" if count == 1 else "s")


def _layout_table(run: PlanRun, totals: dict[str, Any], baseline: str | None) -> list[str]:
    header = ["ModelEndpoint", "models", "plan", "$/day", "$/month"]
    if baseline:
        header += ["naive (one endpoint per model)", "$/day", "$/month"]
    rows = [header]
    for p in run.planned:
        row = [p.key, str(len(p.spec.models)), _layout(p), usd(p.cost.daily_usd), usd(p.cost.monthly_usd)]
        if baseline and p.baseline is not None:
            b = p.baseline
            row += [f"{len(p.spec.models)} x RealTime on 1 {b.instance_type}", usd(b.daily_usd), usd(b.monthly_usd)]
        rows.append(row)
    t = totals["totals"]
    total_row = ["TOTAL", str(t["models"]), _endpoints(t["endpoints"]), usd(t["dailyUSD"]), usd(t["monthlyUSD"])]
    if baseline:
        b = totals["baseline"]
        total_row += [_endpoints(b["endpoints"]), usd(b["dailyUSD"]), usd(b["monthlyUSD"])]
    rows.append(total_row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    numeric = {1, 3, 4, 6, 7}
    lines = ["  ".join(cell.rjust(w) if i in numeric else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    if baseline:
        b = totals["baseline"]
        lines.append("")
        lines.append(f"Saving against {b['layout']}: {usd(b['savingDailyUSD'])}/day, {usd(b['savingMonthlyUSD'])}/month "
                     f"({b['savingPercent']:g} %)")
    return lines


# ---- entry --------------------------------------------------------------------------------

def run_plan(args: argparse.Namespace) -> int:
    try:
        prices = load_prices(args.prices)
    except PriceFileError as error:
        print(f"error: --prices {error}", file=sys.stderr)
        return 2
    run = plan_paths(args.filename, prices, args.baseline, args.baseline_instance_type)
    if args.output == "json":
        sys.stdout.write(json.dumps(to_json(run, prices, args.baseline), indent=2) + "\n")
    else:
        sys.stdout.write(render_table(run, prices, args.baseline))
    for problem in run.problems:
        print(f"error: {problem}", file=sys.stderr)
    if run.problems:
        print(f"{len(run.problems)} error(s); {len(run.planned)} ModelEndpoint(s) planned", file=sys.stderr)
        return 1
    return 0
