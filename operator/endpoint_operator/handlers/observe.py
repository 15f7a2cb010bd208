"""Read what exists in AWS for one ModelEndpoint, in the shape the planner reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime

from ..api.resources import (EndpointSummary, ObservedComponent, ObservedConfig, ObservedEndpoint,
                             ObservedVariant, S3Object)
from ..api.scaling import ObservedScaling, component_resource_id, variant_resource_id
from ..aws.autoscaling import AutoScalingGateway
from ..aws.cloudwatch import CloudWatchGateway
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan import naming
from ..plan.component_scaling import wake_alarm_name
from ..plan.blueprint import Blueprint
from ..plan.deciding import Readings
from ..plan.gates import GateQuery
from ..plan.observed import Observed
from ..plan.reading import Reading
from ..plan.scaling_step import known_alarm_names
from .gates import read_gates
from .prometheus import PrometheusReader
from .wiring import AwsGateways


def observe(sagemaker: SageMakerGateway, s3: S3Gateway, endpoint_name: str,
            artifact_prefix: S3Object | None, with_tags: bool = False, first: bool = False,
            components: bool = False) -> Observed:
    """`with_tags` reads the endpoint's tags too: needed once, to prove ownership of an
    endpoint this object has not recorded as its own yet.

    `first` is the sync that just put the finalizer on: nothing of this object can exist
    in AWS yet, so with no endpoint the model and config listings are skipped (a create
    of a name that exists after all is tolerated). Under a burst of applies that is two
    reads fewer per object before its first action.

    `components`: list the endpoint's inference components too (one listing, and a
    describe of each the operator named); asked for only where some may exist."""
    endpoint = sagemaker.describe_endpoint(endpoint_name, include_tags=with_tags)
    artifacts = s3.list_artifacts(artifact_prefix) if artifact_prefix is not None else {}
    if first and endpoint is None:
        return Observed(endpoint=None, models=frozenset(), configs={}, artifacts=artifacts)
    prefix = naming.owned_prefix(endpoint_name)
    # The prefix narrows the listing; the exact name shape keeps another endpoint's
    # resources (whose name merely starts with ours) out of what may be collected.
    models = frozenset(n for n in sagemaker.list_models(prefix) if naming.is_owned_name(endpoint_name, n))
    configs: dict[str, ObservedConfig] = {}
    for name in sagemaker.list_endpoint_configs(prefix):
        if not naming.is_owned_name(endpoint_name, name):
            continue
        if endpoint is not None and name == endpoint.config_name:
            # Only the serving config is described: the planner needs its models to keep
            # them; a superseded config is collected whole and needs no description.
            described = sagemaker.describe_endpoint_config(name)
            configs[name] = described if described is not None else ObservedConfig(name=name)
        else:
            configs[name] = ObservedConfig(name=name)
    found = observe_components(sagemaker, endpoint_name) if components and endpoint is not None else None
    return Observed(endpoint=endpoint, models=models, configs=configs, artifacts=artifacts, components=found)


def with_model_data(sagemaker: SageMakerGateway, observed: Observed, models: Iterable[str]) -> Observed:
    """`observed` with the ModelDataUrl of each of `models` (a DescribeModel each): the
    folders a multi-model rollout's variants serve (plan/rollout_artifacts.py)."""
    found = {}
    for name in models:
        url = sagemaker.model_data_url(name)
        if url is not None:
            found[name] = url
    return dataclasses.replace(observed, model_data=found) if found else observed


def observe_components(sagemaker: SageMakerGateway, endpoint_name: str) -> dict[str, ObservedComponent]:
    found: dict[str, ObservedComponent] = {}
    for name in sagemaker.list_inference_components(endpoint_name):
        if not naming.is_owned_component(endpoint_name, name):
            continue  # another party's component on this endpoint is not ours to change
        described = sagemaker.describe_inference_component(name)
        if described is not None:
            found[name] = described
    return found


def observe_made(sagemaker: SageMakerGateway, blueprint: Blueprint, made: frozenset[str]) -> Observed:
    """What exists of an object whose every SageMaker resource this process made at this
    generation (`made`: their names): the models and the config are as the blueprint
    built them, so only the endpoint, whose status moves on its own, is read: once it
    was made, or while nothing was made yet (whether an endpoint of that name exists, and
    whose, decides the first action). Listings, tags and scaling reads on an object just
    created are left to the first full observation after it is Ready (the resync)."""
    made_endpoint = blueprint.endpoint_name in made
    swept = sagemaker.swept.created(blueprint.endpoint_name) if made_endpoint else None
    if swept is not None and swept.status == "InService":
        endpoint = made_in_service(blueprint, swept)  # the sweep that started this sync saw it
    else:
        endpoint = sagemaker.describe_endpoint(blueprint.endpoint_name) if made_endpoint or not made else None
    models = frozenset(m.name for m in blueprint.models if m.name in made)
    config = blueprint.config
    configs = {config.name: ObservedConfig(name=config.name, variant_models=tuple(v.model_name for v in config.variants),
                                           tags=config.tags, variants=config.variants)} if config.name in made else {}
    return Observed(endpoint=endpoint, models=models, configs=configs)


def made_in_service(blueprint: Blueprint, swept: EndpointSummary) -> ObservedEndpoint:
    """The endpoint this process created from the blueprint's config, which a sweep begun
    after the create listed InService: what DescribeEndpoint would say of it. A creation
    that ended InService serves its config's variants at their initial weights and counts
    (DescribeEndpoint's ProductionVariantSummary: CurrentWeight, CurrentInstanceCount);
    the first full observation (the resync) reads them from AWS."""
    return ObservedEndpoint(
        name=blueprint.endpoint_name, arn=swept.arn, status=swept.status, config_name=blueprint.config.name,
        last_modified=swept.last_modified,
        variants=tuple(ObservedVariant(name=v.name, weight=v.weight, current_instances=v.initial_instance_count,
                                       desired_instances=v.initial_instance_count, current_serverless=v.serverless)
                       for v in blueprint.config.variants))


def observe_scaling(autoscaling: AutoScalingGateway, cloudwatch: CloudWatchGateway, endpoint_name: str,
                    variants: Iterable[str], alarms: bool = False, components: Iterable[str] = ()) -> ObservedScaling:
    """Targets of these variants and inference components of the endpoint, with their
    policies and scheduled actions, and the operator's alarms. Alarms are read when
    asked (they are desired, or the endpoint is being deleted) or when a target exists."""
    names = sorted(set(variants))
    hosted = sorted(set(components))
    targets = autoscaling.scalable_targets([variant_resource_id(endpoint_name, v) for v in names]
                                           + [component_resource_id(c) for c in hosted])
    policies = [p for t in targets for p in autoscaling.policies(t.resource_id)]
    schedules = [a for t in targets for a in autoscaling.scheduled_actions(t.resource_id)]
    found = []
    if alarms or targets:
        ours = known_alarm_names(endpoint_name, names) | {wake_alarm_name(c) for c in hosted}
        found = [a for a in cloudwatch.metric_alarms(f"{endpoint_name}-") if a.name in ours]
    return ObservedScaling(targets=tuple(targets), policies=tuple(policies), schedules=tuple(schedules), alarms=tuple(found))


def with_scaling(observed: Observed, autoscaling: AutoScalingGateway, cloudwatch: CloudWatchGateway,
                 endpoint_name: str, variants: Iterable[str] = (), alarms: bool = False,
                 components: Iterable[str] = ()) -> Observed:
    """`observed` with the scaling of the endpoint's variants and of `variants`, and of
    its inference components and `components`."""
    known = set(variants) | {v.name for v in observed.endpoint.variants} if observed.endpoint else set(variants)
    hosted = set(components) | set(observed.components or {})
    scaling = observe_scaling(autoscaling, cloudwatch, endpoint_name, known, alarms, hosted)
    return dataclasses.replace(observed, scaling=scaling)


# ---- the reads plan/reading.py asks for ----------------------------------------------

def observe_endpoint(sagemaker: SageMakerGateway, s3: S3Gateway, bp: Blueprint, reading: Reading) -> tuple[Observed, bool]:
    """The endpoint's observation as `reading` asks, and whether it stayed light. A light
    read that finds an endpoint this process did not make is followed by the full one
    (a read only the first can ask for): whose it is must be proved."""
    if reading.made is not None:
        observed = observe_made(sagemaker, bp, reading.made)
        if observed.endpoint is None or bp.endpoint_name in reading.made:
            return observed, True
    return observe(sagemaker, s3, bp.endpoint_name, bp.artifact_prefix, with_tags=reading.with_tags,
                   first=reading.first, components=reading.components), False


def observe_scaling_of(aws: AwsGateways, region: str, endpoint_name: str, reading: Reading, observed: Observed,
                       light: bool) -> Observed:
    """`observed` with the scaling `reading` asks for, when the endpoint was seen in full."""
    if observed.endpoint is None or light:
        return observed
    return with_scaling(observed, aws.autoscaling(region), aws.cloudwatch(region), endpoint_name,
                        reading.scaling_variants, reading.scaling_alarms, reading.scaling_components)


def read_the_rest(aws: AwsGateways, region: str, reading: Reading, observed: Observed, gates: GateQuery | None,
                  now: datetime, prometheus: PrometheusReader) -> Readings:
    """What `reading` asks for besides the endpoint and its scaling, in this order: the
    canary's gates (`gates`: their query, made from the endpoint seen), the endpoint a
    migration retires (in full, with its tags and scaling) and a leftover artifact
    prefix's keys."""
    autoscaling, cloudwatch = aws.autoscaling(region), aws.cloudwatch(region)
    readings = read_gates(cloudwatch, gates, now, prometheus) if gates is not None else None
    retiring = None
    if reading.retiring is not None:
        retiring = with_scaling(observe(aws.sagemaker(region), aws.s3(region), reading.retiring, None, with_tags=True,
                                        components=True),
                                autoscaling, cloudwatch, reading.retiring, alarms=True)
    keys = aws.s3(region).list_artifacts(reading.leftover) if reading.leftover is not None else {}
    return Readings(observed=observed, gates=readings, retiring=retiring, leftover_keys=keys)
