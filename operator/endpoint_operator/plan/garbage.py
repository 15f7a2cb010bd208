"""Superseded configs and models: collected only once the endpoint serves the
desired config, and never one still referenced."""

from __future__ import annotations

from ..api.resources import ObservedEndpoint
from .actions import DeleteEndpointConfig, DeleteModel
from .blueprint import Blueprint
from .naming import is_owned_name
from .observed import Observed


def collect_garbage(bp: Blueprint, observed: Observed, ep: ObservedEndpoint) -> tuple[DeleteEndpointConfig | DeleteModel, ...]:
    keep_configs = {bp.config.name, ep.config_name}
    keep_models = {m.name for m in bp.models} | {v.model_name for v in bp.config.variants}
    for name in keep_configs:
        if name in observed.configs:
            keep_models |= set(observed.configs[name].variant_models) | set(observed.configs[name].shadow_models)
    configs = sorted(n for n in observed.configs if n not in keep_configs and is_owned_name(bp.endpoint_name, n))
    models = sorted(n for n in observed.models if n not in keep_models and is_owned_name(bp.endpoint_name, n))
    # Configs first: they reference the models.
    return tuple(DeleteEndpointConfig(name=n) for n in configs) + tuple(DeleteModel(name=n) for n in models)
