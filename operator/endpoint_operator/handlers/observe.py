"""Read what exists in AWS for one ModelEndpoint, in the shape the planner reads."""

from __future__ import annotations

from ..api.resources import ObservedConfig, S3Object
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan import naming
from ..plan.observed import Observed


def observe(sagemaker: SageMakerGateway, s3: S3Gateway, endpoint_name: str,
            artifact_prefix: S3Object | None, with_tags: bool = False) -> Observed:
    """`with_tags` reads the endpoint's tags too: needed once, to prove ownership of an
    endpoint this object has not recorded as its own yet."""
    endpoint = sagemaker.describe_endpoint(endpoint_name, include_tags=with_tags)
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
    artifacts = s3.list_artifacts(artifact_prefix) if artifact_prefix is not None else {}
    return Observed(endpoint=endpoint, models=models, configs=configs, artifacts=artifacts)

