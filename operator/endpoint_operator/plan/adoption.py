"""Adopting an existing SageMaker endpoint in place (spec.adopt).

Explicit only: without spec.adopt an endpoint the operator did not create is never
touched. With it, an endpoint no ModelEndpoint owns (no ownership tags, or tags that
deletionPolicy Retain released) is tagged as this object's and recorded in
status.adoption; from then on it converges through the usual path (a new config and
UpdateEndpoint), so nothing is created beside it and it never stops serving. What
the operator did not create (the configs and models it ran on) is left alone unless
spec.adopt.collectPrevious asks to delete it, once the endpoint serves the spec.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ..api import constants
from ..api.adoption import AdoptSpec
from ..api.brownfield_status import AdoptionStatus
from ..api.resources import IN_FLIGHT_STATUSES, ObservedEndpoint
from ..api.status import ModelEndpointStatus
from .blueprint import Blueprint
from .decision import Decision
from .errors import PlanError
from .identity import foreign_owner


@dataclass(frozen=True)
class AdoptionJudgement:
    record: AdoptionStatus | None = None  # what status.adoption says from now on
    tag: bool = False  # tag the endpoint with the ownership tags now
    refusal: PlanError | None = None
    wait: str | None = None  # the endpoint is busy: adopt it once it is InService


def judge_adoption(adopt: AdoptSpec, bp: Blueprint, ep: ObservedEndpoint | None,
                   previous: ModelEndpointStatus | None, previous_models: tuple[str, ...],
                   now: datetime, region: str) -> AdoptionJudgement:
    """`ep` is observed with its tags; `previous_models` are the models of its config."""
    recorded = previous.adoption if previous else None
    name = bp.endpoint_name
    if recorded is not None:
        # Adopted once: from then on the endpoint is this object's, wherever a later
        # change of mode places the blueprint (plan/migration.py).
        return AdoptionJudgement(record=recorded)
    if ep is None:
        return AdoptionJudgement(refusal=PlanError(
            "EndpointToAdoptNotFound", "spec.endpointName",
            f"spec.endpointName: there is no SageMaker endpoint {name} in {region} to adopt; "
            "remove spec.adopt to create a new one"))
    uid = ep.tags.get(constants.TAG_UID)
    if uid == bp.owner.uid:
        return AdoptionJudgement(record=AdoptionStatus(endpoint=name, adopted_at=now))
    owner = foreign_owner(ep.tags, bp.owner, released=True)
    if owner is not None:
        return AdoptionJudgement(refusal=PlanError(
            "AdoptionRefused", "spec.adopt",
            f"spec.adopt: SageMaker endpoint {name} belongs to ModelEndpoint {owner} (uid {uid}), as its "
            "ownership tags say; only an endpoint no ModelEndpoint owns can be adopted"))
    if ep.status in IN_FLIGHT_STATUSES:
        return AdoptionJudgement(wait=f"Endpoint {name} is {ep.status}; it is adopted once InService")
    if ep.status != "InService":
        return AdoptionJudgement(refusal=PlanError(
            "EndpointNotAdoptable", "spec.adopt",
            f"spec.adopt: SageMaker endpoint {name} is {ep.status}; only an InService endpoint is adopted "
            "(a failed one would have to be replaced, not kept)"))
    return AdoptionJudgement(tag=True, record=AdoptionStatus(
        endpoint=name, adopted_at=now, previous_config=ep.config_name,
        previous_models=list(previous_models) or None, collected=False if adopt.collect_previous else None))


def previous_to_collect(adopt: AdoptSpec, record: AdoptionStatus | None, bp: Blueprint,
                        ep: ObservedEndpoint | None) -> tuple[str | None, tuple[str, ...]] | None:
    """(config, models) the adopted endpoint ran on, to delete now: asked for, not done
    yet, and the endpoint InService on the desired config (nothing uses them any more)."""
    if not adopt.collect_previous or record is None or record.collected is not False:
        return None
    if ep is None or ep.status != "InService" or ep.config_name != bp.config.name:
        return None
    if record.previous_config == bp.config.name:
        return None
    return record.previous_config, tuple(record.previous_models or ())


def with_adoption(decision: Decision, record: AdoptionStatus | None) -> Decision:
    """The decision with status.adoption kept, and without the drift correction the
    first update would report: leaving the adopted config is the point, not drift."""
    if record is None:
        return decision
    corrections = tuple(c for c in decision.corrections
                        if not (record.previous_config and f"switched to config {record.previous_config} out of band" in c))
    status = decision.status.model_copy(update={"adoption": record})
    return dataclasses.replace(decision, status=status, corrections=corrections)


def adopted_event(record: AdoptionStatus) -> tuple[str, str]:
    return "Adopted", (f"Adopted SageMaker endpoint {record.endpoint} (serving config {record.previous_config}): "
                       "tagged as this object's; nothing was created beside it")
