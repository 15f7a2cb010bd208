"""The status fields shown to users, read off the observed endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from ..api.resources import ObservedEndpoint
from ..api.status import EndpointStatus, VariantStatus


def endpoint_status(name: str, ep: ObservedEndpoint | None, target_config: str | None = None, failed_config: str | None = None) -> EndpointStatus:
    if ep is None:
        return EndpointStatus(name=name, target_config=target_config, failed_config=failed_config)
    return EndpointStatus(
        name=ep.name,
        arn=ep.arn,
        status=ep.status,
        failure_reason=ep.failure_reason,
        config_name=ep.config_name,
        deployment=ep.deployment_stage,
        target_config=target_config,
        failed_config=failed_config,
    )


def variants(ep: ObservedEndpoint | None, models_by_variant: Mapping[str, str]) -> list[VariantStatus] | None:
    if ep is None or not ep.variants:
        return None
    return [
        VariantStatus(
            name=v.name,
            model=models_by_variant.get(v.name),
            weight=v.weight,
            current_instances=v.current_instances,
            desired_instances=v.desired_instances,
        )
        for v in ep.variants
    ]


def variants_summary(ep: ObservedEndpoint | None) -> str | None:
    """'primary=85,canary=15': weights as percentages of their sum."""
    if ep is None or not ep.variants:
        return None
    total = sum(v.weight or 0 for v in ep.variants)
    if total <= 0:
        return ",".join(f"{v.name}=?" for v in ep.variants)
    return ",".join(f"{v.name}={round(100 * (v.weight or 0) / total)}" for v in ep.variants)


def instances_summary(ep: ObservedEndpoint | None) -> str | None:
    """'current/desired' over all variants."""
    if ep is None or not ep.variants:
        return None
    counted = [v for v in ep.variants if v.current_instances is not None or v.desired_instances is not None]
    if not counted:
        return None
    current = sum(v.current_instances or 0 for v in counted)
    desired = sum(v.desired_instances or 0 for v in counted)
    return f"{current}/{desired}"
