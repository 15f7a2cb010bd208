"""Multi-model endpoints as SageMaker hosts them, which moto does not: where they may
run (CreateEndpointConfig), and what an instance serves once it loaded a model
(InvokeEndpoint with TargetModel). moto's runtime answers every invocation with a
canned body; here each instance of the fleet keeps the artifacts it loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from moto.s3.models import s3_backends

from ...api.hosting import GPU_MULTI_MODEL_TYPES, accelerated, looks_like_triton
from .responses import ApiError, HttpResponse, validation_error

MULTI_MODEL = "MultiModel"


def refuse_unhostable(models: dict[str, Any], variants: list[dict[str, Any]]) -> None:
    """Refuse a MultiModel container on a GPU instance type SageMaker cannot host it on.

    Developer guide, "Supported algorithms, frameworks, and instances for multi-model
    endpoints": "Hosting multiple GPU backed models on multi-model endpoints is supported
    through the SageMaker AI Triton Inference server", on the GPU instance types of its
    table. AWS answers other GPU multi-model configs at CreateEndpointConfig with
    "MultiModel mode is not supported for instance type ml.g4dn.xlarge." (the message
    quoted in aws/sagemaker-python-sdk#1323). AWS reads the image's labels; the emulator
    can only read its name, so it takes AWS's Triton repository name as Triton.
    """
    for variant in variants:
        instance_type = variant.get("InstanceType") or ""
        model = models.get(variant.get("ModelName", ""))
        container = (getattr(model, "primary_container", None) or {}) if model is not None else {}
        if container.get("Mode") != MULTI_MODEL or not accelerated(instance_type):
            continue
        if instance_type not in GPU_MULTI_MODEL_TYPES or not looks_like_triton(container.get("Image")):
            raise validation_error(f"MultiModel mode is not supported for instance type {instance_type}.")


@dataclass(frozen=True)
class LoadedArtifact:
    """The version of a model one instance downloaded."""

    key: str
    etag: str
    sha256: str


class InstanceCaches:
    """The models each instance of one fleet has loaded: (variant, instance) -> TargetModel.

    Developer guide, "Add or Remove Models": "Don't overwrite model artifacts in Amazon
    S3 because the old version of the model might still be loaded in the containers or
    on the storage volume of the instances on the endpoint. Invocations to the new model
    could then invoke the old version of the model." A new fleet (an update to another
    config) starts with nothing loaded.
    """

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, int], dict[str, LoadedArtifact]] = {}

    def clear(self) -> None:
        self._loaded.clear()

    def serve(self, variant: str, instances: int, target: str, load: Any, cache: bool = True) -> tuple[int, LoadedArtifact]:
        """The instance that answers and the artifact it serves. A model already loaded
        is served from the instance holding it; otherwise the least loaded instance
        downloads it (`load()`) on this first call ("Invoke a Multi-Model Endpoint":
        multi-model endpoints load target models dynamically as needed, the first
        request for a model downloading it from Amazon S3 into memory)."""
        fleet = [(variant, i) for i in range(max(instances, 1))]
        for slot in fleet:
            held = self._loaded.get(slot, {}).get(target)
            if held is not None:
                return slot[1], held
        slot = min(fleet, key=lambda s: (len(self._loaded.get(s, {})), s[1]))
        artifact = load()
        if cache:
            self._loaded.setdefault(slot, {})[target] = artifact
        return slot[1], artifact


def caches_models(container: dict[str, Any]) -> bool:
    """MultiModelConfig.ModelCacheSetting (service model): "By default, multi-model
    endpoints cache models so that a model does not have to be loaded into memory each
    time it is invoked ... To disable model caching, set the value of this parameter to
    Disabled"."""
    return (container.get("MultiModelConfig") or {}).get("ModelCacheSetting") != "Disabled"


def multi_model_container(models: dict[str, Any], model_name: str) -> dict[str, Any] | None:
    model = models.get(model_name)
    container = (getattr(model, "primary_container", None) or {}) if model is not None else {}
    return container if container.get("Mode") == MULTI_MODEL else None


def load_artifact(account: str, prefix_url: str, target: str) -> LoadedArtifact:
    """Read s3://<prefix><target> from the emulator's S3, as an instance downloads it.

    "Invoke a Multi-Model Endpoint": "The SageMaker AI system constructs the absolute path
    of the model by combining the prefix that is provided as part of the CreateModel API
    call with the relative path of the model." """
    bucket, _, prefix = prefix_url.removeprefix("s3://").partition("/")
    key = prefix + target
    try:
        found = s3_backends[account]["aws"].get_object(bucket, key)
    except Exception:  # moto raises MissingBucket for an unknown bucket  # noqa: BLE001
        found = None
    if found is None:
        # The runtime's ModelError shape: the container could not load the model.
        raise ApiError("ValidationError", f"Failed to download model data (bucket: {bucket}, key: {key}). "
                       "Please ensure that there is an object located at the URL and that the role passed "
                       "to CreateModel has permissions to download the object.")
    return LoadedArtifact(key=key, etag=found.etag.strip('"'), sha256=hashlib.sha256(found.value).hexdigest())


def invocation_response(variant: str, instance: int, target: str, artifact: LoadedArtifact) -> HttpResponse:
    """The body reports what the instance served, so a test can tell versions apart."""
    body = json.dumps({"targetModel": target, "instance": instance, "key": artifact.key,
                       "etag": artifact.etag, "sha256": artifact.sha256}).encode()
    # InvokeEndpointOutput.InvokedProductionVariant (header x-Amzn-Invoked-Production-Variant): "Identifies the
    # production variant that was invoked."
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("x-Amzn-Invoked-Production-Variant", variant)]
    return HttpResponse(200, headers, body)
