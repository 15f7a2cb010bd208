"""Inference components as SageMaker hosts them: statuses, copies placed on the
endpoint's instances by their compute per copy, managed instance scaling, scale to
zero and the wake-up metric, rolling updates, and their Application Auto Scaling."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .helpers import ROLE, wait_for, wait_for_status

pytestmark = pytest.mark.emulator

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
NEW_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.4.0-gpu-py311"
GPU_TYPE = "ml.g5.12xlarge"  # 4 GPUs, 192 GiB, 48 vCPUs
COMPONENT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def component_endpoint(aws, name: str = "shared", low: int = 1, high: int = 2) -> None:
    aws.sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ExecutionRoleArn=ROLE, ProductionVariants=[{
        "VariantName": "primary", "InstanceType": GPU_TYPE, "InitialInstanceCount": 1,
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": low, "MaxInstanceCount": high},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}}])
    aws.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    wait_for_status(aws.sagemaker, name, "InService")


def create(aws, name: str, copies: int, gpus: int = 1, endpoint: str = "shared", image: str = IMAGE) -> None:
    aws.sagemaker.create_inference_component(
        InferenceComponentName=name, EndpointName=endpoint, VariantName="primary",
        Specification={"Container": {"Image": image, "ArtifactUrl": f"s3://models/{name}/model.tar.gz"},
                       "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 8192, "NumberOfCpuCoresRequired": 2,
                                                       "NumberOfAcceleratorDevicesRequired": gpus}},
        RuntimeConfig={"CopyCount": copies})


def settled(aws, name: str) -> dict:
    return wait_for(lambda: aws.sagemaker.describe_inference_component(InferenceComponentName=name),
                    lambda d: d["InferenceComponentStatus"] == "InService")


def copies(described: dict) -> tuple[int, int]:
    runtime = described["RuntimeConfig"]
    return runtime["CurrentCopyCount"], runtime["DesiredCopyCount"]


def instances(aws, endpoint: str = "shared") -> int:
    return aws.sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"][0]["CurrentInstanceCount"]


def invoke(aws, component: str) -> dict:
    answer = aws.client("sagemaker-runtime", max_attempts=1).invoke_endpoint(
        EndpointName="shared", InferenceComponentName=component, Body=b"{}", ContentType="application/json")
    return json.loads(answer["Body"].read())


def test_a_component_is_creating_then_in_service_with_its_copies_placed(aws):
    component_endpoint(aws)
    create(aws, "recsys", copies=2)

    first = aws.sagemaker.describe_inference_component(InferenceComponentName="recsys")
    assert first["InferenceComponentStatus"] == "Creating"
    assert copies(first) == (0, 2)

    ready = settled(aws, "recsys")
    assert copies(ready) == (2, 2)
    assert ready["EndpointName"] == "shared" and ready["VariantName"] == "primary"
    assert ready["Specification"]["Container"]["DeployedImage"]["SpecifiedImage"] == IMAGE
    listed = aws.sagemaker.list_inference_components(EndpointNameEquals="shared")["InferenceComponents"]
    assert [c["InferenceComponentName"] for c in listed] == ["recsys"]
    assert invoke(aws, "recsys")["image"] == IMAGE


def test_copies_beyond_the_instance_range_stay_unplaced_and_resident_copies_keep_their_place(aws):
    component_endpoint(aws, low=1, high=2)  # at most 2 x 4 GPUs
    create(aws, "hot", copies=3)
    settled(aws, "hot")
    assert instances(aws) == 1

    create(aws, "cold", copies=8)
    cold = settled(aws, "cold")
    assert copies(cold) == (5, 8)  # 8 GPUs in all, 3 held by the resident component
    assert copies(settled(aws, "hot")) == (3, 3)
    assert instances(aws) == 2


def test_a_copy_larger_than_an_instance_is_refused(aws):
    component_endpoint(aws)
    with pytest.raises(ClientError) as refused:
        create(aws, "huge", copies=1, gpus=8)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "offers" in refused.value.response["Error"]["Message"]


def test_a_sleeping_component_fails_invocations_counts_them_and_wakes_with_a_copy(aws):
    component_endpoint(aws, low=0, high=2)
    create(aws, "cold", copies=1)
    settled(aws, "cold")

    aws.sagemaker.update_inference_component_runtime_config(InferenceComponentName="cold",
                                                            DesiredRuntimeConfig={"CopyCount": 0})
    asleep = settled(aws, "cold")
    assert copies(asleep) == (0, 0)
    assert instances(aws) == 0  # MinInstanceCount 0 and nothing to host

    with pytest.raises(ClientError):
        invoke(aws, "cold")
    metrics = aws.cloudwatch.list_metrics(Namespace="AWS/SageMaker", MetricName="NoCapacityInvocationFailures")
    assert [m["Dimensions"] for m in metrics["Metrics"]] == [[{"Name": "InferenceComponentName", "Value": "cold"}]]

    aws.sagemaker.update_inference_component_runtime_config(InferenceComponentName="cold",
                                                            DesiredRuntimeConfig={"CopyCount": 1})
    assert copies(settled(aws, "cold")) == (1, 1)
    assert instances(aws) == 1
    assert invoke(aws, "cold")["copies"] == 1


def test_an_image_update_rolls_while_the_old_copies_and_other_components_serve(aws):
    component_endpoint(aws)
    create(aws, "ranker", copies=1)
    create(aws, "recsys", copies=1)
    settled(aws, "ranker"), settled(aws, "recsys")
    # The update ends only after a few describes, not after a time a busy machine can
    # overrun: the old copies are asked while it surely still runs.
    aws.emulator.set_describes_per_transition(3)

    aws.sagemaker.update_inference_component(
        InferenceComponentName="ranker",
        Specification={"Container": {"Image": NEW_IMAGE, "ArtifactUrl": "s3://models/ranker/model.tar.gz"}},
        DeploymentConfig={"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "COPY_COUNT", "Value": 1},
                                                  "WaitIntervalInSeconds": 0}})
    updating = aws.sagemaker.describe_inference_component(InferenceComponentName="ranker")
    assert updating["InferenceComponentStatus"] == "Updating"
    assert invoke(aws, "ranker")["image"] == IMAGE
    assert invoke(aws, "recsys")["image"] == IMAGE

    with pytest.raises(ClientError) as too_big:
        aws.sagemaker.update_inference_component(
            InferenceComponentName="recsys", Specification={"Container": {"Image": NEW_IMAGE}},
            DeploymentConfig={"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 80},
                                                      "WaitIntervalInSeconds": 0}})
    assert "between 5% and 50%" in too_big.value.response["Error"]["Message"]

    done = settled(aws, "ranker")
    assert invoke(aws, "ranker")["image"] == NEW_IMAGE
    assert done["LastDeploymentConfig"]["RollingUpdatePolicy"]["MaximumBatchSize"]["Type"] == "COPY_COUNT"
    assert copies(done) == (1, 1)


def test_updates_wait_for_a_settled_component_and_deletes_go_through_deleting(aws):
    component_endpoint(aws)
    create(aws, "recsys", copies=1)
    with pytest.raises(ClientError) as busy:
        aws.sagemaker.update_inference_component_runtime_config(InferenceComponentName="recsys",
                                                                DesiredRuntimeConfig={"CopyCount": 2})
    assert "in-progress" in busy.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as duplicate:
        create(aws, "recsys", copies=1)
    assert "already existing" in duplicate.value.response["Error"]["Message"]

    settled(aws, "recsys")
    aws.sagemaker.delete_inference_component(InferenceComponentName="recsys")
    assert aws.sagemaker.describe_inference_component(
        InferenceComponentName="recsys")["InferenceComponentStatus"] == "Deleting"
    wait_for(lambda: aws.sagemaker.list_inference_components()["InferenceComponents"], lambda rows: rows == [])
    with pytest.raises(ClientError) as gone:
        aws.sagemaker.describe_inference_component(InferenceComponentName="recsys")
    assert gone.value.response["Error"]["Message"].startswith("Could not find inference component")


def test_components_need_an_existing_variant_without_a_model_and_managed_scaling_needs_components(aws):
    aws.sagemaker.create_model(ModelName="single", ExecutionRoleArn=ROLE,
                               PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://models/single/model.tar.gz"})
    with pytest.raises(ClientError) as managed:
        aws.sagemaker.create_endpoint_config(EndpointConfigName="single-config", ProductionVariants=[{
            "VariantName": "primary", "ModelName": "single", "InstanceType": GPU_TYPE, "InitialInstanceCount": 1,
            "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1, "MaxInstanceCount": 2}}])
    assert managed.value.response["Error"]["Message"] == \
        "ManagedInstanceScaling is only supported for inference component endpoints."

    with pytest.raises(ClientError) as no_endpoint:
        create(aws, "orphan", copies=1, endpoint="ghost")
    assert no_endpoint.value.response["Error"]["Message"].startswith("Could not find endpoint")


def test_component_copies_register_with_application_auto_scaling(aws):
    component_endpoint(aws)
    create(aws, "recsys", copies=1)
    settled(aws, "recsys")
    resource = "inference-component/recsys"

    aws.autoscaling.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=resource,
                                             ScalableDimension=COMPONENT_DIMENSION, MinCapacity=2, MaxCapacity=4)
    assert copies(settled(aws, "recsys")) == (2, 2)  # moved into the registered range
    aws.autoscaling.put_scaling_policy(
        PolicyName="recsys-tracking", ServiceNamespace="sagemaker", ResourceId=resource,
        ScalableDimension=COMPONENT_DIMENSION, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 4.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"}})
    alarms = aws.cloudwatch.describe_alarms(AlarmNamePrefix=f"TargetTracking-{resource}")["MetricAlarms"]
    assert {tuple((d["Name"], d["Value"]) for d in a["Dimensions"]) for a in alarms} == {
        (("InferenceComponentName", "recsys"),)}

    with pytest.raises(ClientError) as missing:
        aws.autoscaling.register_scalable_target(ServiceNamespace="sagemaker", ResourceId="inference-component/ghost",
                                                 ScalableDimension=COMPONENT_DIMENSION, MinCapacity=0, MaxCapacity=1)
    assert "does not exist" in missing.value.response["Error"]["Message"]
