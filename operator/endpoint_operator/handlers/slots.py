"""Both endpoint names of an object (see plan/migration.py): a migration between
endpoint kinds leaves resources under either, so deletion looks under both."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..api.resources import IN_FLIGHT_STATUSES, ObservedConfig, S3Object
from ..api.spec import DeletionPolicy
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan import naming
from ..plan.decision import Decision
from ..plan.finalize import finalize
from ..plan.identity import Owner
from ..plan.migration import slots
from ..plan.observed import Observed
from .observe import observe


def finalize_slots(sagemaker: SageMakerGateway, s3: S3Gateway, endpoint_name: str, prefix: S3Object | None,
                   policy: DeletionPolicy, generation: int, owner: Owner,
                   add_scaling: Callable[[Observed, str], Observed] = lambda observed, _: observed,
                   recorded: bool = False, scaled: bool = True, components: bool = False,
                   ) -> tuple[Decision, Observed]:
    """finalize() of the spec's endpoint and of its alternate; done when both are.
    Tags prove ownership: an endpoint another owner made is never deleted; `recorded`
    (status holds this endpoint's ARN: the operator made it) spares the tag read.
    `add_scaling(observed, endpoint_name)` adds what autoscaling holds of an endpoint;
    with `scaled` False (neither spec nor status had autoscaling) it is asked only while
    the endpoint exists, the one time a target of it could still matter. With
    `components` (the object has or had inference components) the endpoint is observed
    with them; otherwise only the endpoint is read while it exists."""
    base, other = slots(endpoint_name)
    if components:
        # Inference components go before their endpoint (plan/finalize.py): both names
        # are observed in full, components included.
        observed = observe(sagemaker, s3, base, prefix, with_tags=True, components=True)
        if policy is not DeletionPolicy.RETAIN:
            observed = add_scaling(observed, base)
        decision = finalize(base, observed, policy, prefix, generation, owner=owner)
        if policy is DeletionPolicy.RETAIN:
            return decision, observed
        alternate_observed = add_scaling(observe(sagemaker, s3, other, None, with_tags=True, components=True), other)
    else:
        if policy is DeletionPolicy.RETAIN:
            observed = observe(sagemaker, s3, base, prefix, with_tags=True)
            return finalize(base, observed, policy, prefix, generation, owner=owner), observed
        # The sweep that started this sync saw the endpoint this process deleted gone.
        endpoint = None if sagemaker.swept.deleted(base) else sagemaker.describe_endpoint(base, include_tags=not recorded)
        if endpoint is not None:
            # While it exists only the endpoint (and its scaling) is deleted: the configs and
            # models are listed once it is gone, the alternate's with them.
            observed = Observed(endpoint=endpoint)
            if endpoint.status not in IN_FLIGHT_STATUSES:  # in flight, it is only waited for
                observed = add_scaling(observed, base)
            decision = finalize(base, observed, policy, prefix, generation, owner=owner)
            if not decision.done:
                return decision, observed
        models, configs = _listed(sagemaker, base, other)
        artifacts = s3.list_artifacts(prefix) if prefix is not None else {}
        observed = Observed(endpoint=endpoint, models=models[base], configs=configs[base], artifacts=artifacts)
        if endpoint is None:
            if scaled:
                observed = add_scaling(observed, base)
            decision = finalize(base, observed, policy, prefix, generation, owner=owner)
        # The alternate is read when something of it was listed: its endpoint needs a config.
        alternate_observed = Observed(endpoint=None, models=models[other], configs=configs[other])
        if models[other] or configs[other]:
            alternate_observed = add_scaling(observe(sagemaker, s3, other, None, with_tags=True), other)
    alternate = finalize(other, alternate_observed, policy, None, generation, owner=owner)
    if alternate.done:
        return decision, observed
    if decision.done:
        return alternate, observed
    return dataclasses.replace(decision, actions=decision.actions + alternate.actions), observed


def _listed(sagemaker: SageMakerGateway, *endpoints: str) -> tuple[dict[str, frozenset[str]], dict[str, dict]]:
    """Models and configs of each endpoint, from one listing of each kind when the first
    endpoint's name prefix covers the others' (the alternate's name extends the base's)."""
    first = naming.owned_prefix(endpoints[0])
    prefixes = [first] + [p for p in (naming.owned_prefix(e) for e in endpoints[1:]) if not p.startswith(first)]
    model_names = [n for p in prefixes for n in sagemaker.list_models(p)]
    config_names = [n for p in prefixes for n in sagemaker.list_endpoint_configs(p)]
    models = {e: frozenset(n for n in model_names if naming.is_owned_name(e, n)) for e in endpoints}
    configs = {e: {n: ObservedConfig(name=n) for n in config_names if naming.is_owned_name(e, n)} for e in endpoints}
    return models, configs
