"""Carry out one planned action through the gateways.

Creates of content-hashed names and deletes of what is already gone are idempotent
here: after an operator restart the same action may be planned twice, and the second
must be a no-op, not an error.
"""

from __future__ import annotations

from ..aws.autoscaling import AutoScalingGateway
from ..aws.cloudwatch import CloudWatchGateway
from ..aws.errors import AlreadyExists, NotFound
from ..aws.s3 import S3Gateway
from ..aws.sagemaker import SageMakerGateway
from ..plan import actions as a
from .execute_scaling import SCALING_ACTIONS, execute_scaling


def execute(action: a.Action, sagemaker: SageMakerGateway, s3: S3Gateway,
            autoscaling: AutoScalingGateway | None = None, cloudwatch: CloudWatchGateway | None = None) -> bool:
    """False when the action found its work already done (the create's name exists, the
    delete's target is gone): then what exists was not necessarily made by this call."""
    if isinstance(action, SCALING_ACTIONS):
        execute_scaling(action, sagemaker, autoscaling, cloudwatch)
        return True
    try:
        _dispatch(action, sagemaker, s3)
    except AlreadyExists:
        if not isinstance(action, (a.CreateModel, a.CreateEndpointConfig, a.CreateEndpoint, a.CreateInferenceComponent)):
            raise
        return False
    except NotFound:
        if not isinstance(action, (a.DeleteEndpoint, a.DeleteEndpointConfig, a.DeleteModel, a.DeleteArtifact,
                                   a.DeleteInferenceComponent)):
            raise
        return False
    return True


def _dispatch(action: a.Action, sagemaker: SageMakerGateway, s3: S3Gateway) -> None:
    match action:
        case a.CreateModel(model=model):
            sagemaker.create_model(model)
        case a.CreateEndpointConfig(config=config):
            sagemaker.create_endpoint_config(config)
        case a.CreateEndpoint(name=name, config_name=config_name, tags=tags):
            sagemaker.create_endpoint(name, config_name, tags)
        case a.UpdateEndpoint(name=name, config_name=config_name, retain_instance_counts=retain, deployment=deployment):
            sagemaker.update_endpoint(name, config_name, retain_instance_counts=retain, deployment=deployment)
        case a.UpdateServerlessConcurrency(name=name, variant=variant, serverless=serverless):
            sagemaker.update_weights_and_capacities(name, {}, serverless={variant: serverless})
        case a.ShiftTraffic(name=name, weights=weights):
            sagemaker.update_weights_and_capacities(name, dict(weights))
        case a.DeleteEndpoint(name=name):
            sagemaker.delete_endpoint(name)
        case a.DeleteEndpointConfig(name=name):
            sagemaker.delete_endpoint_config(name)
        case a.DeleteModel(name=name):
            sagemaker.delete_model(name)
        case a.CreateInferenceComponent(component=component):
            sagemaker.create_inference_component(component)
        case a.UpdateInferenceComponent(component=component):
            sagemaker.update_inference_component(component)
        case a.SetComponentCopies(name=name, copies=copies):
            sagemaker.set_component_copies(name, copies)
        case a.DeleteInferenceComponent(name=name):
            sagemaker.delete_inference_component(name)
        case a.CopyArtifact(copy=copy):
            s3.copy_artifact(copy)
        case a.MarkArtifactRemoved(obj=obj, source=source, kms_key_id=key):
            s3.mark_removed(obj, source, kms_key_id=key)
        case a.DeleteArtifact(obj=obj):
            s3.delete_artifact(obj)
        case _:
            raise TypeError(f"no executor for {type(action).__name__}")
