"""Builders shared by the plan tests: specs, blueprints and observed worlds.

(Named test_plan_* to sit with the plan tests; it holds no tests itself.)
"""

from __future__ import annotations

import copy
from typing import Any

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.spec import ModelEndpointSpec
from endpoint_operator.api.status import EndpointStatus, ModelEndpointStatus
from endpoint_operator.plan import actions as a
from endpoint_operator.plan.blueprint import Blueprint, build_blueprint
from endpoint_operator.plan.identity import Owner
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.s3url import s3_url

OWNER = Owner(namespace="ml", name="recs", uid="uid-1")
ROLE = "arn:aws:iam::111122223333:role/sagemaker-exec"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3"


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def realtime_spec(data: str = "s3://models/recsys/v7/model.tar.gz", **extra: Any) -> ModelEndpointSpec:
    raw = {
        "region": "us-east-1",
        "executionRoleArn": ROLE,
        "mode": "RealTime",
        "image": IMAGE,
        "models": [{"name": "recsys", "modelDataUrl": data}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 2},
    }
    return ModelEndpointSpec.model_validate(_merge(raw, extra))


def mme_spec(names: tuple[str, ...] = ("alpha", "beta"), **extra: Any) -> ModelEndpointSpec:
    raw = {
        "region": "us-east-1",
        "executionRoleArn": ROLE,
        "mode": "MultiModel",
        "image": IMAGE,
        "models": [{"name": n, "modelDataUrl": f"s3://models/{n}/v1/model.tar.gz"} for n in names],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 2},
    }
    return ModelEndpointSpec.model_validate(_merge(raw, extra))


def bp_of(spec: ModelEndpointSpec, owner: Owner = OWNER) -> Blueprint:
    return build_blueprint(spec, owner)


def endpoint(bp: Blueprint, status: str = "InService", config: str | None = None, **extra: Any) -> ObservedEndpoint:
    """The endpoint as SageMaker would describe it, on `config` (default: the blueprint's)."""
    fields = dict(
        name=bp.endpoint_name,
        arn=f"arn:aws:sagemaker:us-east-1:111122223333:endpoint/{bp.endpoint_name}",
        status=status,
        config_name=config or bp.config.name,
        variants=(ObservedVariant(name="primary", weight=1.0, current_instances=1, desired_instances=1),),
    )
    fields.update(extra)
    return ObservedEndpoint(**fields)


def built(*bps: Blueprint, ep: ObservedEndpoint | None = None, artifacts: dict[str, str] | None = None) -> Observed:
    """A world where every model and config of `bps` exists (and, by default, every
    artifact of the first blueprint, recorded with its source)."""
    models = frozenset(m.name for bp in bps for m in bp.models)
    configs = {bp.config.name: ObservedConfig(name=bp.config.name, variant_models=tuple(v.model_name for v in bp.config.variants)) for bp in bps}
    if artifacts is None and bps and bps[0].artifact_prefix is not None:
        prefix = bps[0].artifact_prefix.key
        artifacts = {c.target.key[len(prefix):]: s3_url(c.source) for c in bps[0].artifacts}
    return Observed(endpoint=ep, models=models, configs=configs, artifacts=artifacts or {})


def status_of(bp: Blueprint, ep_status: str | None = "InService", config: str | None = None, **endpoint_fields: Any) -> ModelEndpointStatus:
    """A previous status as the planner would have written it for `bp`."""
    return ModelEndpointStatus(
        observed_generation=1,
        revision=bp.revision,
        endpoint=EndpointStatus(name=bp.endpoint_name, status=ep_status, config_name=config or bp.config.name, **endpoint_fields),
    )


def short(action: a.Action) -> str:
    """'CreateModel:<name>' — enough to compare plans in a table."""
    match action:
        case a.CreateModel(model=m):
            return f"CreateModel:{m.name}"
        case a.CreateEndpointConfig(config=c):
            return f"CreateEndpointConfig:{c.name}"
        case a.CreateEndpoint(name=n, config_name=c) | a.UpdateEndpoint(name=n, config_name=c):
            return f"{type(action).__name__}:{c}"
        case a.DeleteEndpoint(name=n) | a.DeleteEndpointConfig(name=n) | a.DeleteModel(name=n):
            return f"{type(action).__name__}:{n}"
        case a.CopyArtifact(copy=c):
            return f"CopyArtifact:{c.target.key.rsplit('/', 1)[-1]}"
        case a.DeleteArtifact(obj=o) | a.MarkArtifactRemoved(obj=o):
            return f"{type(action).__name__}:{o.key.rsplit('/', 1)[-1]}"
    raise AssertionError(action)


def conditions_by_type(decision) -> dict[str, tuple[str, str]]:
    return {c.type: (c.status, c.reason) for c in decision.conditions}
