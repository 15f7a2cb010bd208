"""The brownfield part of a sync: adopting spec.endpointName (spec.adopt) and retiring
the endpoints spec.replaces names once idle. Reads and writes through the gateways;
the judgements are plan/adoption.py and plan/drain.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..api.spec import ModelEndpointSpec
from ..api.status import ModelEndpointStatus
from ..aws.errors import NotFound
from ..kube.client import KubeGateway
from ..plan.adoption import AdoptionJudgement, adopted_event, judge_adoption, previous_to_collect, with_adoption
from ..plan.blueprint import Blueprint
from ..plan.decision import Decision
from ..plan.drain import ReplacedEndpoint, plan_drain, retirement_event, window_start, with_drain
from ..plan.errors import PlanError
from ..plan.observed import Observed
from ..plan.scaling_step import removal
from .execute import execute
from .observe import observe_scaling
from .wiring import AwsGateways


@dataclass(frozen=True)
class Adoption:
    judgement: AdoptionJudgement | None
    observed: Observed

    @property
    def refusal(self) -> PlanError | None:
        return self.judgement.refusal if self.judgement else None

    @property
    def wait(self) -> str | None:
        return self.judgement.wait if self.judgement else None


def adopt(aws: AwsGateways, kube: KubeGateway, body: dict, spec: ModelEndpointSpec, bp: Blueprint,
          observed: Observed, previous: ModelEndpointStatus | None, now: datetime) -> Adoption:
    """Judges spec.adopt and, on the first pass that may, tags the endpoint as this
    object's (AddTags on the endpoint alone: nothing is created or deleted)."""
    sagemaker = aws.sagemaker(spec.region)
    ep = observed.endpoint
    if ep is not None and not ep.tags and ep.arn and not (previous and previous.adoption):
        try:
            ep = ep.model_copy(update={"tags": sagemaker.tags_of(ep.arn)})  # status recorded the ARN: tags unread
        except NotFound:
            ep = None  # deleted since it was described
    models: tuple[str, ...] = ()
    if ep is not None and ep.config_name and not (previous and previous.adoption):
        config = sagemaker.describe_endpoint_config(ep.config_name)
        models = tuple(config.variant_models) if config is not None else ()
    judgement = judge_adoption(spec.adopt, bp, ep, previous, models, now, spec.region)
    if judgement.tag and ep is not None and ep.arn:
        sagemaker.add_tags(ep.arn, bp.tags)
        ep = ep.model_copy(update={"tags": {**ep.tags, **bp.tags}})
        kube.post_event(body, "Normal", *adopted_event(judgement.record))
    return Adoption(judgement=judgement, observed=replace(observed, endpoint=ep) if ep is not None else observed)


def converge(aws: AwsGateways, kube: KubeGateway, body: dict, spec: ModelEndpointSpec, bp: Blueprint,
             observed: Observed, decision: Decision, previous: ModelEndpointStatus | None, now: datetime,
             adoption: Adoption | None) -> Decision:
    """status.adoption and status.replacement on the decision; collects what the
    adopted endpoint ran on (when asked) and retires replaced endpoints that are idle."""
    sagemaker = aws.sagemaker(spec.region)
    ep = observed.endpoint
    if adoption is not None and adoption.judgement is not None and adoption.judgement.record is not None:
        record = adoption.judgement.record
        collect = previous_to_collect(spec.adopt, record, bp, ep)
        if collect is not None:
            config, models = collect
            _collect(sagemaker, config, models, bp.tags)
            kube.post_event(body, "Normal", "CollectedPrevious",
                            f"Deleted config {config} and models {', '.join(models) or '(none)'} that adopted "
                            f"endpoint {bp.endpoint_name} ran on before (spec.adopt.collectPrevious)")
            record = record.model_copy(update={"collected": True})
        decision = with_adoption(decision, record)
    if spec.replaces is None:
        return decision
    serving = ep is not None and ep.status == "InService" and ep.config_name == bp.config.name
    seen = {}
    invocations = aws.invocations(spec.region)
    retired = set((previous.replacement.retired or []) if previous and previous.replacement else [])
    for name in spec.replaces.endpoints:
        if name in retired:
            continue  # gone already: not described again on every pass
        found = _replaced(sagemaker, name)
        last = None
        if found is not None and serving:
            last = invocations.last_invocation(name, [v.name for v in found.variants],
                                               window_start(spec.replaces, now), now)
        seen[name] = ReplacedEndpoint(name=name, endpoint=found, last_invocation=last, read=serving)
    plan = plan_drain(spec.replaces, bp.owner, serving, seen, previous, now)
    if plan.refusal is not None:
        raise plan.refusal
    for name in plan.retire:
        found = seen[name].endpoint
        # A target left registered would outlive its endpoint: deregister it first (its
        # policies and target tracking's alarms go with it).
        scaling = observe_scaling(aws.autoscaling(spec.region), aws.cloudwatch(spec.region), name,
                                  [v.name for v in found.variants])
        for action in removal(scaling.model_copy(update={"alarms": ()})):
            execute(action, sagemaker, aws.s3(spec.region), aws.autoscaling(spec.region), aws.cloudwatch(spec.region))
        if found.arn:
            sagemaker.add_tags(found.arn, bp.tags)  # what the operator deletes carries its tags (IAM, audit)
        try:
            sagemaker.delete_endpoint(name)
        except NotFound:
            pass
        last = next((d.last_invocation for d in plan.status.draining or [] if d.name == name), None)
        kube.post_event(body, "Normal", *retirement_event(name, last, spec.replaces.idle_for))
    return with_drain(decision, plan, spec.replaces)


def _replaced(sagemaker, name: str):
    """A replaced endpoint with its tags; None once gone. One being deleted (by an
    earlier pass) may vanish between the two reads: that is gone too."""
    found = sagemaker.describe_endpoint(name)
    if found is None or found.status == "Deleting" or not found.arn:
        return found
    try:
        return found.model_copy(update={"tags": sagemaker.tags_of(found.arn)})
    except NotFound:
        return None


def _collect(sagemaker, config: str | None, models: tuple[str, ...], tags: dict[str, str]) -> None:
    """Tags, then deletes, what the adopted endpoint ran on: the config first, then its models."""
    for kind, name, delete in ([("endpoint-config", config, sagemaker.delete_endpoint_config)] if config else []) + \
            [("model", m, sagemaker.delete_model) for m in models]:
        arn = sagemaker.resource_arn(kind, name)
        if arn is None:
            continue
        sagemaker.add_tags(arn, tags)
        try:
            delete(name)
        except NotFound:
            pass
