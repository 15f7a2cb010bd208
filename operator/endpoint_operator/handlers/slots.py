"""Both endpoint names of an object (see plan/migration.py): a migration between
endpoint kinds leaves resources under either, so deletion looks under both."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..api.resources import S3Object
from ..api.spec import DeletionPolicy
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan.decision import Decision
from ..plan.finalize import finalize
from ..plan.identity import Owner
from ..plan.migration import slots
from ..plan.observed import Observed
from .observe import observe


def finalize_slots(sagemaker: SageMakerGateway, s3: S3Gateway, endpoint_name: str, prefix: S3Object | None,
                   policy: DeletionPolicy, generation: int, owner: Owner,
                   add_scaling: Callable[[Observed, str], Observed] = lambda observed, _: observed,
                   ) -> tuple[Decision, Observed]:
    """finalize() of the spec's endpoint and of its alternate; done when both are.
    Tags prove ownership: an endpoint another owner made is never deleted.
    `add_scaling(observed, endpoint_name)` adds what autoscaling holds of an endpoint."""
    base, other = slots(endpoint_name)
    observed = observe(sagemaker, s3, base, prefix, with_tags=True, components=True)
    if policy is not DeletionPolicy.RETAIN:
        observed = add_scaling(observed, base)
    decision = finalize(base, observed, policy, prefix, generation, owner=owner)
    if policy is DeletionPolicy.RETAIN:
        return decision, observed
    alternate_observed = add_scaling(observe(sagemaker, s3, other, None, with_tags=True, components=True), other)
    alternate = finalize(other, alternate_observed, policy, None, generation, owner=owner)
    if alternate.done:
        return decision, observed
    if decision.done:
        return alternate, observed
    return dataclasses.replace(decision, actions=decision.actions + alternate.actions), observed
