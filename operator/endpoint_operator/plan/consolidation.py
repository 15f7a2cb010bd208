"""Which existing endpoints can become one logical endpoint, what that costs, and the
ModelEndpoint manifest of each: the judgement behind `endpoint-operator assess`.

Pure. What AWS can serve together decides the groups:
- several models share an endpoint only as a multi-model endpoint of one image; on a
  GPU only through the Triton Inference Server, on the GPU types the developer guide
  lists (api/hosting.py);
- asynchronous and serverless endpoints serve one model each;
- real-time takes payloads up to 6 MB and 60 s, serverless 4 MB and no GPU.
Sporadic requests that serverless cannot take (over 4 MB, or long) go to an
asynchronous endpoint that scales to zero: the queue holds them while no instance runs.
(Developer guide, "Asynchronous inference": "This option is ideal for requests with large
payload sizes (up to 1GB), long processing times (up to one hour) ... autoscaling the
instance count to zero when there are no requests to process".)

Sizing reads the measured load: per hour, the members' utilization (GPU on accelerated
types, else CPU) times their instance counts, over a target utilization per instance.
The monthly cost after is the instance-hours that sizing needs over the window,
scaled to a month; an asynchronous endpoint is costed by the operator's own model
(plan/cost.py) from the measured calls and processing time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api import constants
from ..api.hosting import GPU_MULTI_MODEL_TYPES, looks_like_triton
from ..api.pricing import PriceTable
from ..api.spec import Mode, validate_spec
from .assessment import EndpointAssessment, as_spec, model_entry, model_name, traffic_hints
from .estimate import estimate
from .identity import foreign_owner
from .mode import REALTIME_MAX_PAYLOAD_MB, REALTIME_MAX_SECONDS, SERVERLESS_MAX_PAYLOAD_MB

# Instances are sized to run at this utilization at the hour's load.
TARGET_UTILIZATION = 70.0
# A sporadic request of this p99 (ms) or longer gains nothing from an always-on instance.
LONG_REQUEST_MS = 10_000
DEFAULT_IDLE_FOR = "24h"
NAME_LEN = 63


@dataclass(frozen=True)
class LogicalEndpoint:
    name: str  # the ModelEndpoint's metadata.name
    mode: str  # RealTime | MultiModel | Serverless | Async, or Unchanged
    reason: str
    members: tuple[str, ...]  # the existing endpoints it serves the models of
    monthly_before_usd: float
    monthly_after_usd: float
    instance_type: str | None = None
    min_instances: int = 0
    max_instances: int = 0
    adopts: str | None = None
    replaces: tuple[str, ...] = ()
    manifest: dict[str, Any] | None = None  # None: left as it is, no manifest
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consolidation:
    endpoints: tuple[LogicalEndpoint, ...]
    monthly_before_usd: float
    monthly_after_usd: float
    unpriced: tuple[str, ...] = field(default_factory=tuple)  # endpoints the price table cannot cost

    @property
    def saving_usd(self) -> float:
        return round(self.monthly_before_usd - self.monthly_after_usd, 2)

    @property
    def saving_share(self) -> float:
        return self.saving_usd / self.monthly_before_usd if self.monthly_before_usd else 0.0


def consolidate(assessments: Sequence[EndpointAssessment], prices: PriceTable, *, namespace: str = "default",
                group_tag: str | None = None, idle_for: str = DEFAULT_IDLE_FOR) -> Consolidation:
    """Groups, sizing and manifests for `assessments`; `group_tag` keeps endpoints
    whose values of that tag differ apart (one use case per logical endpoint)."""
    logical: list[LogicalEndpoint] = []
    groups: dict[tuple, list[EndpointAssessment]] = {}
    for a in assessments:
        why_not = _not_movable(a)
        if why_not:
            logical.append(_unchanged(a, why_not))
        elif _wants_async(a):
            logical.append(_asynchronous(a, prices, namespace, idle_for))
        else:
            key = (a.endpoint.region, a.image, a.accelerated, a.endpoint.tags.get(group_tag) if group_tag else None)
            groups.setdefault(key, []).append(a)
    for (_, image, gpu, tag_value), members in groups.items():
        members.sort(key=lambda m: -m.invocations_per_day)
        blocker = _cannot_share(members, image, gpu)
        if len(members) > 1 and blocker is None:
            logical.append(_instance_endpoint(members, Mode.MULTI_MODEL, prices, namespace, idle_for, tag_value))
        else:
            for m in members:
                logical.append(_single(m, prices, namespace, idle_for, blocker if len(members) > 1 else None))
    logical = _unique_names(logical)
    before = sum(e.monthly_before_usd for e in logical)
    after = sum(e.monthly_after_usd for e in logical)
    unpriced = tuple(a.name for a in assessments if a.monthly_usd is None)
    return Consolidation(endpoints=tuple(logical), monthly_before_usd=round(before, 2),
                         monthly_after_usd=round(after, 2), unpriced=unpriced)


# ---- judgements -------------------------------------------------------------------------

def _not_movable(a: EndpointAssessment) -> str | None:
    owner = foreign_owner(a.endpoint.tags, None, released=True)
    if owner is not None:
        return f"managed already by ModelEndpoint {owner}"
    if a.variant is None:
        return f"{len(a.endpoint.variants)} variants: consolidation moves one-model endpoints only"
    if a.variant.serverless:
        return "serverless already: billed per request"
    if a.endpoint.asynchronous:
        return "asynchronous already"
    model = a.variant.model
    if model is None or not model.image or not model.model_data_url or not model.execution_role_arn:
        return "its model has no image, artifact or role to move"
    if model.mode == "MultiModel":
        return "a multi-model endpoint already"
    if a.monthly_usd is None:
        return "the price table has no price for its instance type"
    return None


def _wants_async(a: EndpointAssessment) -> bool:
    payload = a.hints.max_payload_mb
    seconds = a.hints.max_processing_seconds
    if (payload is not None and payload > REALTIME_MAX_PAYLOAD_MB) or (seconds is not None and seconds > REALTIME_MAX_SECONDS):
        return True
    large = payload is not None and payload > SERVERLESS_MAX_PAYLOAD_MB
    long = a.p99_latency_ms is not None and a.p99_latency_ms >= LONG_REQUEST_MS
    return a.sporadic and (large or long)


def _async_reason(a: EndpointAssessment) -> str:
    why = []
    if a.hints.max_payload_mb is not None:
        why.append(f"payloads up to {a.hints.max_payload_mb:g} MB (serverless takes {SERVERLESS_MAX_PAYLOAD_MB} MB)")
    if a.p99_latency_ms is not None and a.p99_latency_ms >= LONG_REQUEST_MS:
        why.append(f"p99 ModelLatency {a.p99_latency_ms / 1000:.0f} s")
    return (f"{', '.join(why)} at {a.invocations_per_day:.0f} calls a day ({a.active_share:.0%} of hours busy): "
            "an asynchronous endpoint queues them and scales to zero between jobs")


def _cannot_share(members: Sequence[EndpointAssessment], image: str | None, gpu: bool) -> str | None:
    if not gpu:
        return None
    if not looks_like_triton(image):
        return ("several GPU models share an endpoint only through the Triton Inference Server, "
                f"and {image} is not AWS's Triton container")
    if _gpu_type(members) is None:
        return "no member runs on a GPU type the developer guide lists for multi-model endpoints"
    return None


def _gpu_type(members: Sequence[EndpointAssessment]) -> str | None:
    listed = [m.instance_type for m in members if m.instance_type in GPU_MULTI_MODEL_TYPES]
    return Counter(listed).most_common(1)[0][0] if listed else None


# ---- sizing -----------------------------------------------------------------------------

def _needed(members: Sequence[EndpointAssessment]) -> list[int]:
    hours = max(len(m.hourly_load) for m in members)
    load = [sum(m.hourly_load[i] for m in members if i < len(m.hourly_load)) for i in range(hours)]
    return [max(1, math.ceil(x / TARGET_UTILIZATION)) for x in load] or [1]


def _instance_endpoint(members: Sequence[EndpointAssessment], mode: Mode, prices: PriceTable, namespace: str,
                       idle_for: str, tag_value: str | None, reason: str | None = None) -> LogicalEndpoint:
    lead = members[0]  # the busiest: adopted in place, its callers keep their endpoint
    instance_type = _gpu_type(members) if lead.accelerated else lead.instance_type
    needed = _needed(members)
    low, high = min(needed), max(needed)
    price = prices.instance_hourly(lead.endpoint.region, instance_type)
    after = sum(needed) / len(needed) * price * prices.hours_per_month
    name = tag_value or (model_name(lead.name) if len(members) == 1 else f"{model_name(lead.name)}-shared")
    spec: dict[str, Any] = {
        "region": lead.endpoint.region,
        "executionRoleArn": lead.variant.model.execution_role_arn,
        "mode": mode.value,
        "image": lead.image,
        "models": [model_entry(m) for m in members],
        "traffic": _group_traffic(members),
        "instances": {"type": instance_type, "min": low, "max": high + 1 if high > low or len(members) > 1 else high},
        "endpointName": lead.name,
        "adopt": {},
    }
    if spec["instances"]["max"] > low:
        spec["autoscaling"] = {}
    if mode is Mode.MULTI_MODEL and lead.accelerated:
        spec["multiModel"] = {"server": "Triton"}
    others = tuple(m.name for m in members[1:])
    if others:
        spec["replaces"] = {"endpoints": list(others), "idleFor": idle_for}
    if reason is None:
        server = " on the Triton server" if lead.accelerated else ""
        needs = f"{low}" if low == high else f"{low}-{high}"
        reason = (f"{len(members)} models share one image{server}: one multi-model endpoint serves them; "
                  f"their summed load needs {needs} {instance_type} at {TARGET_UTILIZATION:g} % utilization")
    return LogicalEndpoint(
        name=name, mode=mode.value, reason=reason, members=tuple(m.name for m in members),
        monthly_before_usd=sum(m.monthly_usd for m in members), monthly_after_usd=round(after, 2),
        instance_type=instance_type, min_instances=low, max_instances=spec["instances"]["max"],
        adopts=lead.name, replaces=others, manifest=_manifest(name, namespace, spec),
        assumptions=(f"instance-hours the measured load needs at {TARGET_UTILIZATION:g} % utilization per instance, "
                     f"averaged over the window and scaled to {prices.hours_per_month:g} h a month",),
    )


def _group_traffic(members: Sequence[EndpointAssessment]) -> dict[str, Any]:
    traffic = traffic_hints(members[0])
    traffic.pop("maxProcessingSeconds", None)
    if any(not m.sporadic for m in members):
        traffic["pattern"] = "Steady"
    payloads = [m.hints.max_payload_mb for m in members if m.hints.max_payload_mb is not None]
    if payloads:
        traffic["maxPayloadMB"] = max(payloads)
    return traffic


def _single(a: EndpointAssessment, prices: PriceTable, namespace: str, idle_for: str,
            apart: str | None) -> LogicalEndpoint:
    if a.auto_mode == Mode.SERVERLESS.value:
        spec = {**as_spec(a), "mode": "Serverless"}
        spec.pop("instances", None)
        cost = estimate(validate_spec(spec), Mode.SERVERLESS, prices)
        name = model_name(a.name)
        spec["replaces"] = {"endpoints": [a.name], "idleFor": idle_for}
        return LogicalEndpoint(
            name=name, mode="Serverless", reason=a.auto_reason, members=(a.name,),
            monthly_before_usd=a.monthly_usd, monthly_after_usd=round(cost.monthly_usd, 2),
            replaces=(a.name,), manifest=_manifest(name, namespace, spec), assumptions=cost.assumptions)
    reason = f"kept on its own: {apart}" if apart else f"one model: {a.auto_reason or 'real-time'}"
    return _instance_endpoint([a], Mode.REAL_TIME, prices, namespace, idle_for, None, reason)


def _asynchronous(a: EndpointAssessment, prices: PriceTable, namespace: str, idle_for: str) -> LogicalEndpoint:
    name = model_name(a.name)
    bucket = a.variant.model.model_data_url.split("/")[2]
    base = f"s3://{bucket}/{constants.PREFIX}/async/{namespace}/{name}"
    spec = {**as_spec(a), "mode": "Async"}
    spec["traffic"].pop("pattern", None)
    spec["traffic"]["pattern"] = "Sporadic"
    high = max(_needed([a]))
    spec["instances"] = {"type": a.instance_type, "min": 0, "max": high}
    spec["async"] = {"outputPath": f"{base}/output/", "failurePath": f"{base}/failed/", "scaleToZero": True}
    spec["replaces"] = {"endpoints": [a.name], "idleFor": idle_for}
    cost = estimate(validate_spec(spec), Mode.ASYNC, prices)
    return LogicalEndpoint(
        name=name, mode="Async", reason=_async_reason(a), members=(a.name,),
        monthly_before_usd=a.monthly_usd, monthly_after_usd=round(cost.monthly_usd, 2),
        instance_type=a.instance_type, min_instances=0, max_instances=high,
        replaces=(a.name,), manifest=_manifest(name, namespace, spec), assumptions=cost.assumptions)


def _unchanged(a: EndpointAssessment, why: str) -> LogicalEndpoint:
    cost = a.monthly_usd or 0.0
    return LogicalEndpoint(name=a.name, mode="Unchanged", reason=why, members=(a.name,),
                           monthly_before_usd=cost, monthly_after_usd=cost)


# ---- manifests --------------------------------------------------------------------------

def _manifest(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": constants.API_VERSION, "kind": constants.KIND,
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def _unique_names(endpoints: list[LogicalEndpoint]) -> list[LogicalEndpoint]:
    from dataclasses import replace
    seen: Counter[str] = Counter()
    out = []
    for e in endpoints:
        seen[e.name] += 1
        if seen[e.name] == 1:
            out.append(e)
            continue
        name = f"{e.name[:NAME_LEN - 4]}-{seen[e.name]}"
        manifest = None
        if e.manifest is not None:
            manifest = {**e.manifest, "metadata": {**e.manifest["metadata"], "name": name}}
        out.append(replace(e, name=name, manifest=manifest))
    return out
