"""MultiModel: one container with Mode=MultiModel serving every artifact under one S3
folder; callers pick a model with TargetModel='<model name>.tar.gz'.

The operator copies each model's artifact into a content-versioned folder under the
prefix (<prefix><version>/<name>.tar.gz). The model list is an S3 concern: adding or
removing a model copies into or deletes from the folder the endpoint serves, with no
new EndpointConfig. A changed artifact is never copied over the old one (instances
that loaded it keep serving it): it goes into a new folder, which is a new model and
config and so a new fleet with nothing cached (plan/artifacts.py picks the folder).
Under spec.rollout that new model is a canary variant next to the old one, each on its
own folder (plan/rollout_artifacts.py); shadow variants are not hosted on multi-model
endpoints.
"""

from __future__ import annotations

from ...api.pricing import PriceTable
from ...api.resources import ContainerDef, S3Copy, S3Object, artifact_origin
from ...api.spec import Mode, ModelEndpointSpec
from .. import naming
from ..cost import CostEstimate, instance_floor_cost
from ..errors import invalid
from ..s3url import parse_s3_url, s3_url
from .common import BuildContext, Parts, hashed_config, hashed_model, instance_variant, model_image, refuse_shadow
from .profile import EndpointKind, ModeProfile

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


def artifact_key(ctx: BuildContext) -> str | None:
    """The KMS key the copies are encrypted with (spec.encryption.artifactKmsKeyId)."""
    return ctx.spec.encryption.artifact_kms_key_id if ctx.spec.encryption is not None else None


def content_version(ctx: BuildContext) -> str:
    """The folder name for the models as the spec declares them: a digest of each
    model's name and source (and the key it is encrypted with), so a changed artifact
    never lands in a folder in use."""
    key = artifact_key(ctx)
    sources = {target_model(m.name): artifact_origin(m.model_data_url, key) for m in ctx.spec.models}
    return "v-" + naming.content_hash(sources)


def version_folder(prefix: S3Object, version: str) -> S3Object:
    return S3Object(bucket=prefix.bucket, key=prefix.key + (version + "/" if version else ""))


def _shared(ctx: BuildContext, what: str, values: list) -> object:
    for index, value in enumerate(values):
        if value != values[0]:
            raise invalid(f"spec.models[{index}].{what}", f"differs from spec.models[0].{what}; a multi-model endpoint runs one container for all its models")
    return values[0]


def _copies(ctx: BuildContext, prefix: S3Object, folder: S3Object) -> tuple[S3Copy, ...]:
    copies = []
    for index, model in enumerate(ctx.spec.models):
        source = parse_s3_url(model.model_data_url)
        if source.bucket == prefix.bucket and source.key.startswith(prefix.key):
            raise invalid(f"spec.models[{index}].modelDataUrl", f"lies under the multi-model prefix {s3_url(prefix)}, which the operator manages; keep sources elsewhere")
        target = S3Object(bucket=folder.bucket, key=folder.key + target_model(model.name))
        copies.append(S3Copy(source=source, target=target, kms_key_id=artifact_key(ctx)))
    return tuple(copies)


def build(ctx: BuildContext) -> Parts:
    refuse_shadow(ctx, "multi-model")
    image = _shared(ctx, "image", [model_image(ctx, i) for i in range(len(ctx.spec.models))])
    environment = _shared(ctx, "environment", [m.environment or {} for m in ctx.spec.models])
    prefix = artifact_prefix(ctx)
    version = content_version(ctx) if ctx.artifact_version is None else ctx.artifact_version
    folder = version_folder(prefix, version)
    cache = ctx.spec.multi_model.model_cache if ctx.spec.multi_model else True
    container = ContainerDef(image=image, model_data_url=s3_url(folder), mode="MultiModel", model_cache=cache, environment=environment)
    model = hashed_model(ctx, container)
    config = hashed_config(ctx, (instance_variant(ctx, model),))
    return Parts(
        models=(model,),
        config=config,
        served_models=tuple(target_model(m.name) for m in ctx.spec.models),
        artifacts=_copies(ctx, prefix, folder),
        artifact_prefix=prefix,
        artifact_version=version,
    )


def cost(spec: ModelEndpointSpec, prices: PriceTable) -> CostEstimate:
    return instance_floor_cost(spec, prices, notes=(
        f"the {len(spec.models)} models share the endpoint's instances: the model count does not change the bill",
    ))


PROFILE = ModeProfile(
    mode=Mode.MULTI_MODEL,
    build=build,
    kind=EndpointKind.INSTANCES,
    cost=cost,
    # A changed artifact (a new folder), image or environment is a new model: a canary of
    # two variants, each on its own folder (rollout_artifacts.py keeps both while it runs).
    rollouts=True,
    real_time_limits=True,
)
