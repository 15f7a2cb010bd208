"""Read what exists in AWS for one ModelEndpoint, in the shape the planner reads."""

from __future__ import annotations

import re

from ..api.resources import ObservedConfig, S3Object
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan import naming
from ..plan.observed import Observed


def observe(sagemaker: SageMakerGateway, s3: S3Gateway, endpoint_name: str,
            artifact_prefix: S3Object | None) -> Observed:
    endpoint = sagemaker.describe_endpoint(endpoint_name)
    owned = _owned_pattern(endpoint_name)
    prefix = naming.owned_prefix(endpoint_name)
    models = frozenset(n for n in sagemaker.list_models(prefix) if owned.match(n))
    configs: dict[str, ObservedConfig] = {}
    for name in sagemaker.list_endpoint_configs(prefix):
        if not owned.match(name):
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


def _owned_pattern(endpoint_name: str) -> re.Pattern[str]:
    """Names this endpoint's models and configs take: its prefix and a content digest.
    Another endpoint whose name merely starts with ours never matches, so it is never
    collected as ours."""
    return re.compile(re.escape(naming.owned_prefix(endpoint_name)) + r"[mc]-[0-9a-f]+$")
