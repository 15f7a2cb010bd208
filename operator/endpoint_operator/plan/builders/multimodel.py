"""MultiModel: one container with Mode=MultiModel serving every artifact under one S3
prefix; callers pick a model with TargetModel='<model name>.tar.gz'.

The operator copies each model's artifact under the prefix. The model list is
therefore an S3 concern: it is left out of the model and config hashes, so adding
or removing a model never makes a new EndpointConfig.
"""

from __future__ import annotations

from ...api.resources import ContainerDef, S3Copy, S3Object
from ..errors import invalid
from ..s3url import parse_s3_url, s3_url
from .common import BuildContext, Parts, hashed_config, hashed_model, instance_variant, model_image

ARTIFACT_SUFFIX = ".tar.gz"


def target_model(name: str) -> str:
    return f"{name}{ARTIFACT_SUFFIX}"


def artifact_prefix(ctx: BuildContext) -> S3Object:
    configured = ctx.spec.multi_model.artifact_prefix if ctx.spec.multi_model else None
    if configured:
        prefix = parse_s3_url(configured)
        if not prefix.key.strip("/"):
            raise invalid("spec.multiModel.artifactPrefix", "needs a key prefix inside the bucket, not the bucket root: the operator deletes what it does not place there")
    else:
        bucket = parse_s3_url(ctx.spec.models[0].model_data_url).bucket
        prefix = S3Object(bucket=bucket, key=f"endpoint-operator/{ctx.owner.namespace}/{ctx.owner.name}/")
    key = prefix.key if prefix.key.endswith("/") else prefix.key + "/"
    return S3Object(bucket=prefix.bucket, key=key)


def _shared(ctx: BuildContext, what: str, values: list) -> object:
    for index, value in enumerate(values):
        if value != values[0]:
            raise invalid(f"spec.models[{index}].{what}", f"differs from spec.models[0].{what}; a multi-model endpoint runs one container for all its models")
    return values[0]


def _copies(ctx: BuildContext, prefix: S3Object) -> tuple[S3Copy, ...]:
    copies = []
    for index, model in enumerate(ctx.spec.models):
        source = parse_s3_url(model.model_data_url)
        if source.bucket == prefix.bucket and source.key.startswith(prefix.key):
            raise invalid(f"spec.models[{index}].modelDataUrl", f"lies under the multi-model prefix {s3_url(prefix)}, which the operator manages; keep sources elsewhere")
        target = S3Object(bucket=prefix.bucket, key=prefix.key + target_model(model.name))
        copies.append(S3Copy(source=source, target=target))
    return tuple(copies)


def build(ctx: BuildContext) -> Parts:
    image = _shared(ctx, "image", [model_image(ctx, i) for i in range(len(ctx.spec.models))])
    environment = _shared(ctx, "environment", [m.environment or {} for m in ctx.spec.models])
    prefix = artifact_prefix(ctx)
    cache = ctx.spec.multi_model.model_cache if ctx.spec.multi_model else True
    container = ContainerDef(image=image, model_data_url=s3_url(prefix), mode="MultiModel", model_cache=cache, environment=environment)
    model = hashed_model(ctx, container)
    config = hashed_config(ctx, (instance_variant(ctx, model),))
    return Parts(
        models=(model,),
        config=config,
        served_models=tuple(target_model(m.name) for m in ctx.spec.models),
        artifacts=_copies(ctx, prefix),
        artifact_prefix=prefix,
    )
