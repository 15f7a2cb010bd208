"""Serverless concurrency, changed in place.

SageMaker's ServerlessUpdateConfig (UpdateEndpointWeightsAndCapacities) changes a
running serverless variant's MaxConcurrency and ProvisionedConcurrency without a new
config or fleet; memory, and turning provisioned concurrency on or off, take a new
config (the serverless builder hashes exactly those). So once the endpoint serves
the desired config, what differs is only concurrency, and this step moves it.
"""

from __future__ import annotations

from ..api.resources import ObservedEndpoint
from .actions import UpdateServerlessConcurrency
from .blueprint import Blueprint


def concurrency_updates(bp: Blueprint, ep: ObservedEndpoint) -> tuple[UpdateServerlessConcurrency, ...]:
    """For an endpoint InService on the desired config."""
    observed = {v.name: v.current_serverless for v in ep.variants}
    updates = []
    for variant in bp.config.variants:
        desired, current = variant.serverless, observed.get(variant.name)
        if desired is None or current is None:
            continue
        if (desired.max_concurrency, desired.provisioned_concurrency) != (current.max_concurrency, current.provisioned_concurrency):
            updates.append(UpdateServerlessConcurrency(name=ep.name, variant=variant.name, serverless=desired))
    return tuple(updates)
